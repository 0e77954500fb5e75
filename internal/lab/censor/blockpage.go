package censor

// BlockpageHTML returns the blockpage of a style (see scenario.Blockpages).
// The country styles copy the text of pages documented by OONI, so that
// OONI's public fingerprints recognise them: they are what makes a lab
// verdict "confirmed".
func BlockpageHTML(style string) string {
	switch style {
	case "iran":
		// The page served from 10.10.34.34 (OONI fingerprint ooni.ir_0: body
		// contains `iframe src="http://10.10`). The address is text here;
		// the lab serves the page from 198.51.100.34.
		return `<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1256"><title>M1-6</title></head>` +
			`<body><iframe src="http://10.10.34.34?type=Invalid Site&policy=MainPolicy " style="width: 100%; height: 100%" ` +
			`scrolling="no" marginwidth="0" marginheight="0" frameborder="0" vspace="0" hspace="0"></iframe></body></html>`
	case "indonesia":
		// Trust Positif (OONI fingerprints ooni.id_6 and ooni.id_7).
		return `<html><head><title>Internet Positif</title></head><body>` +
			`<p>This page is blocked by <a href=http://trustpositif.kominfo.go.id>Trust+Positif</a> Kominfo.</p>` +
			`<p>Situs ini tidak bisa diakses melalui jaringan ini sesuai peraturan perundang-undangan.</p></body></html>`
	case "russia":
		// The registry blockpage text (OONI fingerprint ooni.ru_0).
		return `<html><head><meta charset="utf-8"><title>Доступ ограничен</title></head><body>` +
			`<p>Доступ к сайту ограничен в соответствии с Федеральными законами.</p></body></html>`
	case "turkey":
		return `<html><head><meta charset="utf-8"><title>Erişim Engellendi</title></head><body>` +
			`<p>Bu internet sitesi hakkında idari tedbir uygulanmaktadır.</p></body></html>`
	}
	return `<html><head><title>Access restricted</title></head><body><h1>Access restricted</h1>` +
		`<p>This site is blocked on this network (sonde censorship lab).</p></body></html>`
}
