package collectorclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/sonde-project/sonde/internal/probeapi"
)

// Register registers the probe and returns its id and token.
func (c *Client) Register(ctx context.Context, req probeapi.RegisterRequest) (*probeapi.RegisterResponse, error) {
	var resp probeapi.RegisterResponse
	if err := c.do(ctx, "register", probeapi.PathRegister, req, &resp, maxAnswerBytes); err != nil {
		return nil, err
	}
	if err := checkToken(resp.Token); err != nil {
		return nil, &BadAnswerError{"register", err}
	}
	if !safeID(resp.ProbeID, 128) && resp.ProbeID != "" {
		return nil, &BadAnswerError{"register", fmt.Errorf("probe_id %q", printable(resp.ProbeID, 40))}
	}
	return &resp, nil
}

// checkToken accepts printable ASCII without spaces, up to 512 bytes: the
// token goes into a header.
func checkToken(tok string) error {
	if tok == "" || len(tok) > 512 {
		return errors.New("token missing or longer than 512 bytes")
	}
	for i := 0; i < len(tok); i++ {
		if tok[i] <= 0x20 || tok[i] >= 0x7f {
			return errors.New("token holds a character that cannot go in a header")
		}
	}
	return nil
}

// CheckIn asks what to measure. The answer is validated (see
// ValidateCheckIn) before it is returned.
func (c *Client) CheckIn(ctx context.Context, req probeapi.CheckInRequest) (*probeapi.CheckInResponse, error) {
	var resp probeapi.CheckInResponse
	if err := c.do(ctx, "check-in", probeapi.PathCheckIn, req, &resp, maxCheckInBytes); err != nil {
		return nil, err
	}
	if err := ValidateCheckIn(&resp); err != nil {
		return nil, &BadAnswerError{"check-in", err}
	}
	return &resp, nil
}

// OpenReport opens a report for one test and returns its id.
func (c *Client) OpenReport(ctx context.Context, req probeapi.OpenReportRequest) (string, error) {
	req.Format = "json"
	var resp probeapi.OpenReportResponse
	if err := c.do(ctx, "open report", probeapi.PathOpenReport, req, &resp, maxAnswerBytes); err != nil {
		return "", err
	}
	if !safeID(resp.ReportID, maxIDLen) {
		return "", &BadAnswerError{"open report", fmt.Errorf("report_id %q", printable(resp.ReportID, 40))}
	}
	return resp.ReportID, nil
}

// Submit uploads one measurement to a report and returns its
// measurement_uid.
func (c *Client) Submit(ctx context.Context, reportID string, m json.RawMessage) (string, error) {
	if !safeID(reportID, maxIDLen) {
		return "", fmt.Errorf("submit: report_id %q is not a report id", printable(reportID, 40))
	}
	var resp probeapi.SubmitResponse
	req := probeapi.SubmitRequest{Format: "json", Content: m}
	if err := c.do(ctx, "submit", reportPath(probeapi.PathSubmit, reportID), req, &resp, maxAnswerBytes); err != nil {
		return "", err
	}
	if resp.MeasurementUID != "" && !safeID(resp.MeasurementUID, maxIDLen) {
		return "", &BadAnswerError{"submit", fmt.Errorf("measurement_uid %q", printable(resp.MeasurementUID, 40))}
	}
	return resp.MeasurementUID, nil
}

// CloseReport closes a report.
func (c *Client) CloseReport(ctx context.Context, reportID string) error {
	if !safeID(reportID, maxIDLen) {
		return fmt.Errorf("close report: report_id %q is not a report id", printable(reportID, 40))
	}
	return c.do(ctx, "close report", reportPath(probeapi.PathCloseReport, reportID), struct{}{}, nil, maxAnswerBytes)
}

// BatchSubmit uploads several measurements at once (sonde's own path) and
// returns one result per measurement, in order. It returns
// ErrBatchUnsupported when the collector does not have the path.
func (c *Client) BatchSubmit(ctx context.Context, ms []json.RawMessage) ([]probeapi.BatchResult, error) {
	var resp probeapi.BatchSubmitResponse
	err := c.do(ctx, "batch submit", probeapi.PathBatchSubmit, probeapi.BatchSubmitRequest{Measurements: ms}, &resp, maxAnswerBytes)
	var se *StatusError
	if errors.As(err, &se) && (se.Code == 404 || se.Code == 405) {
		return nil, ErrBatchUnsupported
	}
	if err != nil {
		return nil, err
	}
	if len(resp.Results) != len(ms) {
		return nil, &BadAnswerError{"batch submit", fmt.Errorf("%d results for %d measurements", len(resp.Results), len(ms))}
	}
	for i, r := range resp.Results {
		switch r.Status {
		case probeapi.StatusStored, probeapi.StatusDuplicate, probeapi.StatusRejected:
		default:
			return nil, &BadAnswerError{"batch submit", fmt.Errorf("result %d: unknown status %q", i, printable(r.Status, 20))}
		}
		if r.MeasurementUID != "" && !safeID(r.MeasurementUID, maxIDLen) {
			return nil, &BadAnswerError{"batch submit", fmt.Errorf("result %d: measurement_uid %q", i, printable(r.MeasurementUID, 40))}
		}
		resp.Results[i].Error = printable(r.Error, 200)
	}
	return resp.Results, nil
}
