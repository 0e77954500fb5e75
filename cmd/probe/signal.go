package main

import (
	"os"
	"os/signal"
	"syscall"
)

// notifySignal delivers Ctrl-C and SIGTERM on the returned channel.
func notifySignal() (<-chan os.Signal, func()) {
	c := make(chan os.Signal, 2)
	signal.Notify(c, os.Interrupt, syscall.SIGTERM)
	return c, func() { signal.Stop(c) }
}
