package main

import (
	"os"
	"syscall"
	"testing"
	"time"
)

func TestReapCollectsExitedChildren(t *testing.T) {
	truePath := "/bin/true"
	if _, err := os.Stat(truePath); err != nil {
		t.Skip("no /bin/true")
	}
	var pids []int
	for i := 0; i < 3; i++ {
		pid, err := syscall.ForkExec(truePath, []string{"true"}, &syscall.ProcAttr{})
		if err != nil {
			t.Fatal(err)
		}
		pids = append(pids, pid)
	}
	time.Sleep(300 * time.Millisecond) // the children exit and become zombies
	reap()
	for _, pid := range pids {
		var ws syscall.WaitStatus
		if _, err := syscall.Wait4(pid, &ws, syscall.WNOHANG, nil); err != syscall.ECHILD {
			t.Errorf("child %d still waitable after reap (err %v): a zombie was left", pid, err)
		}
	}
}
