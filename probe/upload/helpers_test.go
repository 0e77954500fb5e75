package upload

import "github.com/sonde-project/sonde/internal/probeapi"

func probeRequest() probeapi.OpenReportRequest {
	return probeapi.OpenReportRequest{TestName: "dns", ProbeCC: "ZZ", ProbeASN: "AS0", SoftwareName: "sonde"}
}
