package lab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/sonde-project/sonde/internal/lab/check"
)

// Command returns a command that runs name inside host's namespace. Its
// environment is this process's plus SSL_CERT_FILE naming the lab CA
// (Go programs, curl and OpenSSL then trust the lab's sites), and the
// namespace's /etc/resolv.conf names the lab's public resolver. It runs
// in its own process group, is killed when ctx ends or this process dies;
// start it with Lab.Start so that Close kills it too.
func (l *Lab) Command(ctx context.Context, h Host, name string, args ...string) *exec.Cmd {
	cmd := l.set.Command(ctx, string(h), name, args...)
	cmd.Env = append(os.Environ(), "SSL_CERT_FILE="+l.CAPath)
	return cmd
}

// Start starts a command made by Command and keeps it for Close.
func (l *Lab) Start(cmd *exec.Cmd) error { return l.set.Start(cmd) }

// wrap makes a lab command from a command built with exec.Command: same
// program, arguments, environment (plus SSL_CERT_FILE unless set),
// directory and standard streams.
func (l *Lab) wrap(ctx context.Context, h Host, c *exec.Cmd) *exec.Cmd {
	args := []string{}
	if len(c.Args) > 1 {
		args = c.Args[1:]
	}
	cmd := l.Command(ctx, h, c.Path, args...)
	if c.Env != nil {
		cmd.Env = c.Env
		if !hasEnv(c.Env, "SSL_CERT_FILE") {
			cmd.Env = append(cmd.Env, "SSL_CERT_FILE="+l.CAPath)
		}
	}
	cmd.Dir, cmd.Stdin, cmd.Stdout, cmd.Stderr, cmd.ExtraFiles = c.Dir, c.Stdin, c.Stdout, c.Stderr, c.ExtraFiles
	return cmd
}

func hasEnv(env []string, key string) bool {
	for _, e := range env {
		if strings.HasPrefix(e, key+"=") {
			return true
		}
	}
	return false
}

// RunInProbe runs c (built with exec.Command, not started) inside the
// probe's namespace and waits for it; its output goes where c says.
func (l *Lab) RunInProbe(ctx context.Context, c *exec.Cmd) error {
	cmd := l.wrap(ctx, Probe, c)
	if err := l.Start(cmd); err != nil {
		return err
	}
	err := cmd.Wait()
	c.ProcessState = cmd.ProcessState
	return err
}

// StartIn starts c (built with exec.Command, not started) inside host's
// namespace and returns the running command, which Close kills if it is
// still running. Wait on the returned command, not on c.
func (l *Lab) StartIn(ctx context.Context, h Host, c *exec.Cmd) (*exec.Cmd, error) {
	cmd := l.wrap(ctx, h, c)
	return cmd, l.Start(cmd)
}

// StartInInternet is StartIn(ctx, Internet, c): for the control helper and
// the collector, which then see the uncensored Internet.
func (l *Lab) StartInInternet(ctx context.Context, c *exec.Cmd) (*exec.Cmd, error) {
	return l.StartIn(ctx, Internet, c)
}

// Check runs a client check (package check) inside host's namespace and
// returns what it saw. CAFile defaults to the lab CA.
func (l *Lab) Check(ctx context.Context, h Host, req check.Request) (check.Result, error) {
	if req.CAFile == "" {
		req.CAFile = l.CAPath
	}
	data, err := json.Marshal(req)
	if err != nil {
		return check.Result{}, err
	}
	cmd := l.Command(ctx, h, l.cfg.Exe)
	cmd.Env = append(cmd.Env, childEnv+"=check")
	cmd.Stdin = strings.NewReader(string(data) + "\n")
	var out, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := l.Start(cmd); err != nil {
		return check.Result{}, err
	}
	if err := cmd.Wait(); err != nil {
		return check.Result{}, fmt.Errorf("lab check %s: %w: %s", req.Kind, err, stderr.String())
	}
	var res check.Result
	if err := json.Unmarshal([]byte(out.String()), &res); err != nil {
		return check.Result{}, fmt.Errorf("lab check %s: %w: %q", req.Kind, err, out.String())
	}
	if res.Kind == "" {
		return res, errors.New("lab check: empty result")
	}
	return res, nil
}
