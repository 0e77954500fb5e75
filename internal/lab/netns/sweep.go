package netns

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Sweep removes every lab whose owner is dead (its lock is free or gone)
// and returns their IDs. Live labs are left alone.
func Sweep(ctx context.Context, logf func(string, ...any)) ([]string, error) {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	ids, err := LabIDs()
	if err != nil {
		return nil, err
	}
	var swept []string
	var errs []error
	for _, id := range ids {
		if alive(id) {
			continue
		}
		logf("sweeping lab %s left by a previous run", id)
		if err := remove(ctx, logf, id); err != nil {
			errs = append(errs, err)
		}
		os.Remove(filepath.Join(LockDir, id+".lock"))
		os.Remove(filepath.Join(LockDir, id+".json")) // censorlab up's state
		swept = append(swept, id)
	}
	return swept, errors.Join(errs...)
}

// LabIDs lists the IDs of every lab with a namespace, a host link, a lock
// file or /etc/netns files on this machine, live or dead.
func LabIDs() ([]string, error) {
	seen := map[string]bool{}
	var ids []string
	add := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for _, dir := range []string{"/run/netns", "/etc/netns"} {
		entries, err := os.ReadDir(dir)
		if err != nil && !os.IsNotExist(err) {
			return nil, err
		}
		for _, e := range entries {
			if rest, ok := strings.CutPrefix(e.Name(), Prefix); ok {
				id, _, _ := strings.Cut(rest, "-")
				add(id)
			}
		}
	}
	locks, _ := filepath.Glob(filepath.Join(LockDir, "*.lock"))
	for _, l := range locks {
		add(strings.TrimSuffix(filepath.Base(l), ".lock"))
	}
	links, _ := os.ReadDir("/sys/class/net")
	for _, l := range links {
		if rest, ok := strings.CutPrefix(l.Name(), "sl"); ok && strings.HasSuffix(rest, "-h") {
			add(strings.TrimSuffix(rest, "-h"))
		}
	}
	return ids, nil
}

// alive says whether the lab's owner still holds its lock.
func alive(id string) bool {
	f, err := os.Open(filepath.Join(LockDir, id+".lock"))
	if err != nil {
		return false
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return true
	}
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return false
}

// remove kills what runs in a lab's namespaces and deletes them, the host
// link and the /etc/netns files. What is already gone is not an error.
func remove(ctx context.Context, logf func(string, ...any), id string) error {
	var errs []error
	for _, r := range Roles {
		name := Prefix + id + "-" + r
		if _, err := os.Stat(filepath.Join("/run/netns", name)); err == nil {
			killAll(ctx, name)
			if err := runLogged(ctx, logf, nil, "ip", "netns", "delete", name); err != nil {
				errs = append(errs, err)
			}
		}
		os.RemoveAll(filepath.Join("/etc/netns", name))
	}
	if _, err := os.Stat(filepath.Join("/sys/class/net", hostLinkName(id))); err == nil {
		// Usually gone with its peer's namespace; the kernel may lag.
		if err := runLogged(ctx, logf, nil, "ip", "link", "delete", hostLinkName(id)); err != nil &&
			!strings.Contains(err.Error(), "Cannot find device") {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// killAll SIGKILLs every process inside the namespace, so that deleting
// it releases its interfaces at once.
func killAll(ctx context.Context, name string) {
	for range 3 {
		out, err := exec.CommandContext(ctx, "ip", "netns", "pids", name).Output()
		if err != nil || len(strings.TrimSpace(string(out))) == 0 {
			return
		}
		for _, f := range strings.Fields(string(out)) {
			if pid, err := strconv.Atoi(f); err == nil && pid != os.Getpid() {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
}
