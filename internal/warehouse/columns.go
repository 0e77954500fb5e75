package warehouse

// Rows as columns, for batch inserts that append a whole column at once
// instead of a row at a time through reflection (clickhouse-go's
// AppendStruct). The order is the order of the struct's ch tags, which
// columnList names in the INSERT; TestColumnsFollowTags checks it.

import "time"

func measurementColumns(rows []MeasurementRow) []any {
	n := len(rows)
	cMeasurementUID := make([]string, n)
	cReportID := make([]string, n)
	cTestName := make([]string, n)
	cTestVersion := make([]string, n)
	cProbeCC := make([]string, n)
	cProbeASN := make([]uint32, n)
	cProbeNetworkName := make([]string, n)
	cResolverASN := make([]uint32, n)
	cInput := make([]string, n)
	cDomain := make([]string, n)
	cMeasurementStartTime := make([]time.Time, n)
	cTestStartTime := make([]time.Time, n)
	cTestRuntime := make([]float64, n)
	cSoftwareName := make([]string, n)
	cSoftwareVersion := make([]string, n)
	cPlatform := make([]string, n)
	cDataFormatVersion := make([]string, n)
	cReceivedTime := make([]time.Time, n)
	cRaw := make([]string, n)
	for i := range rows {
		r := &rows[i]
		cMeasurementUID[i] = r.MeasurementUID
		cReportID[i] = r.ReportID
		cTestName[i] = r.TestName
		cTestVersion[i] = r.TestVersion
		cProbeCC[i] = r.ProbeCC
		cProbeASN[i] = r.ProbeASN
		cProbeNetworkName[i] = r.ProbeNetworkName
		cResolverASN[i] = r.ResolverASN
		cInput[i] = r.Input
		cDomain[i] = r.Domain
		cMeasurementStartTime[i] = r.MeasurementStartTime
		cTestStartTime[i] = r.TestStartTime
		cTestRuntime[i] = r.TestRuntime
		cSoftwareName[i] = r.SoftwareName
		cSoftwareVersion[i] = r.SoftwareVersion
		cPlatform[i] = r.Platform
		cDataFormatVersion[i] = r.DataFormatVersion
		cReceivedTime[i] = r.ReceivedTime
		cRaw[i] = r.Raw
	}
	return []any{cMeasurementUID, cReportID, cTestName, cTestVersion, cProbeCC, cProbeASN, cProbeNetworkName, cResolverASN, cInput, cDomain, cMeasurementStartTime, cTestStartTime, cTestRuntime, cSoftwareName, cSoftwareVersion, cPlatform, cDataFormatVersion, cReceivedTime, cRaw}
}

func observationColumns(rows []ObservationRow) []any {
	n := len(rows)
	cMeasurementUID := make([]string, n)
	cReportID := make([]string, n)
	cTestName := make([]string, n)
	cProbeCC := make([]string, n)
	cProbeASN := make([]uint32, n)
	cInput := make([]string, n)
	cDomain := make([]string, n)
	cMeasurementStartTime := make([]time.Time, n)
	cStepIndex := make([]uint32, n)
	cStep := make([]string, n)
	cTransactionID := make([]int64, n)
	cT0 := make([]float64, n)
	cT := make([]float64, n)
	cFailure := make([]string, n)
	cSuccess := make([]uint8, n)
	cHostname := make([]string, n)
	cIP := make([]string, n)
	cPort := make([]uint16, n)
	cDNSQueryType := make([]string, n)
	cDNSEngine := make([]string, n)
	cDNSResolver := make([]string, n)
	cDNSRcode := make([]int64, n)
	cDNSAnswerTypes := make([][]string, n)
	cDNSAnswers := make([][]string, n)
	cDNSAnswerASNs := make([][]uint32, n)
	cTLSServerName := make([]string, n)
	cTLSVersion := make([]string, n)
	cTLSCipherSuite := make([]string, n)
	cTLSNegotiatedProtocol := make([]string, n)
	cTLSPeerCertificates := make([]uint16, n)
	cTLSNoVerify := make([]uint8, n)
	cHTTPMethod := make([]string, n)
	cHTTPURL := make([]string, n)
	cHTTPStatus := make([]int64, n)
	cHTTPBodyLength := make([]int64, n)
	cHTTPBodyTruncated := make([]uint8, n)
	cHTTPTitle := make([]string, n)
	cHTTPServer := make([]string, n)
	cHTTPLocation := make([]string, n)
	for i := range rows {
		r := &rows[i]
		cMeasurementUID[i] = r.MeasurementUID
		cReportID[i] = r.ReportID
		cTestName[i] = r.TestName
		cProbeCC[i] = r.ProbeCC
		cProbeASN[i] = r.ProbeASN
		cInput[i] = r.Input
		cDomain[i] = r.Domain
		cMeasurementStartTime[i] = r.MeasurementStartTime
		cStepIndex[i] = r.StepIndex
		cStep[i] = r.Step
		cTransactionID[i] = r.TransactionID
		cT0[i] = r.T0
		cT[i] = r.T
		cFailure[i] = r.Failure
		cSuccess[i] = r.Success
		cHostname[i] = r.Hostname
		cIP[i] = r.IP
		cPort[i] = r.Port
		cDNSQueryType[i] = r.DNSQueryType
		cDNSEngine[i] = r.DNSEngine
		cDNSResolver[i] = r.DNSResolver
		cDNSRcode[i] = r.DNSRcode
		cDNSAnswerTypes[i] = r.DNSAnswerTypes
		cDNSAnswers[i] = r.DNSAnswers
		cDNSAnswerASNs[i] = r.DNSAnswerASNs
		cTLSServerName[i] = r.TLSServerName
		cTLSVersion[i] = r.TLSVersion
		cTLSCipherSuite[i] = r.TLSCipherSuite
		cTLSNegotiatedProtocol[i] = r.TLSNegotiatedProtocol
		cTLSPeerCertificates[i] = r.TLSPeerCertificates
		cTLSNoVerify[i] = r.TLSNoVerify
		cHTTPMethod[i] = r.HTTPMethod
		cHTTPURL[i] = r.HTTPURL
		cHTTPStatus[i] = r.HTTPStatus
		cHTTPBodyLength[i] = r.HTTPBodyLength
		cHTTPBodyTruncated[i] = r.HTTPBodyTruncated
		cHTTPTitle[i] = r.HTTPTitle
		cHTTPServer[i] = r.HTTPServer
		cHTTPLocation[i] = r.HTTPLocation
	}
	return []any{cMeasurementUID, cReportID, cTestName, cProbeCC, cProbeASN, cInput, cDomain, cMeasurementStartTime, cStepIndex, cStep, cTransactionID, cT0, cT, cFailure, cSuccess, cHostname, cIP, cPort, cDNSQueryType, cDNSEngine, cDNSResolver, cDNSRcode, cDNSAnswerTypes, cDNSAnswers, cDNSAnswerASNs, cTLSServerName, cTLSVersion, cTLSCipherSuite, cTLSNegotiatedProtocol, cTLSPeerCertificates, cTLSNoVerify, cHTTPMethod, cHTTPURL, cHTTPStatus, cHTTPBodyLength, cHTTPBodyTruncated, cHTTPTitle, cHTTPServer, cHTTPLocation}
}

func verdictColumns(rows []VerdictRow) []any {
	n := len(rows)
	cMeasurementUID := make([]string, n)
	cReportID := make([]string, n)
	cTestName := make([]string, n)
	cProbeCC := make([]string, n)
	cProbeASN := make([]uint32, n)
	cInput := make([]string, n)
	cDomain := make([]string, n)
	cMeasurementStartTime := make([]time.Time, n)
	cStatus := make([]string, n)
	cBlocking := make([]string, n)
	cAccessible := make([]int8, n)
	cConfidence := make([]string, n)
	cFingerprint := make([]string, n)
	cExplanation := make([]string, n)
	cEvidence := make([]string, n)
	cAnalysisVersion := make([]uint32, n)
	cAnalyzedTime := make([]time.Time, n)
	for i := range rows {
		r := &rows[i]
		cMeasurementUID[i] = r.MeasurementUID
		cReportID[i] = r.ReportID
		cTestName[i] = r.TestName
		cProbeCC[i] = r.ProbeCC
		cProbeASN[i] = r.ProbeASN
		cInput[i] = r.Input
		cDomain[i] = r.Domain
		cMeasurementStartTime[i] = r.MeasurementStartTime
		cStatus[i] = r.Status
		cBlocking[i] = r.Blocking
		cAccessible[i] = r.Accessible
		cConfidence[i] = r.Confidence
		cFingerprint[i] = r.Fingerprint
		cExplanation[i] = r.Explanation
		cEvidence[i] = r.Evidence
		cAnalysisVersion[i] = r.AnalysisVersion
		cAnalyzedTime[i] = r.AnalyzedTime
	}
	return []any{cMeasurementUID, cReportID, cTestName, cProbeCC, cProbeASN, cInput, cDomain, cMeasurementStartTime, cStatus, cBlocking, cAccessible, cConfidence, cFingerprint, cExplanation, cEvidence, cAnalysisVersion, cAnalyzedTime}
}
