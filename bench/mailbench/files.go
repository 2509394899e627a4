package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// files times what a Maildir delivery costs the file system without the
// protocol: COUNT files of 1 KB made in DIR/new by way of DIR/tmp (made,
// written, closed, renamed), first without any fsync, then each fsynced
// and DIR/new fsynced after its rename, one after another, as a delivery
// that answers only once both are on disk does. It prints "plain_per_s
// durable_per_s": the ceilings, on this file system now, of a server
// that makes one file per message.
func files(a []string) error {
	if len(a) != 2 {
		return fmt.Errorf("usage: mailbench files DIR COUNT")
	}
	n, err := strconv.Atoi(a[1])
	if err != nil || n < 1 {
		return fmt.Errorf("bad count %q", a[1])
	}
	dir := a[0]
	for _, sub := range []string{"tmp", "new"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return err
		}
	}
	newDir, err := os.Open(filepath.Join(dir, "new"))
	if err != nil {
		return err
	}
	defer newDir.Close()
	body := make([]byte, 1024)
	one := func(name string, durable bool) error {
		tmp := filepath.Join(dir, "tmp", name)
		f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err != nil {
			return err
		}
		if _, err := f.Write(body); err != nil {
			f.Close()
			return err
		}
		if durable {
			if err := f.Sync(); err != nil {
				f.Close()
				return err
			}
		}
		if err := f.Close(); err != nil {
			return err
		}
		if err := os.Rename(tmp, filepath.Join(dir, "new", name)); err != nil {
			return err
		}
		if durable {
			return newDir.Sync()
		}
		return nil
	}
	rate := func(durable bool, prefix string) (float64, error) {
		start := time.Now()
		for i := range n {
			if err := one(fmt.Sprintf("%s%d", prefix, i), durable); err != nil {
				return 0, err
			}
		}
		return float64(n) / time.Since(start).Seconds(), nil
	}
	plain, err := rate(false, "p")
	if err != nil {
		return err
	}
	durable, err := rate(true, "d")
	if err != nil {
		return err
	}
	fmt.Printf("%.0f %.0f\n", plain, durable)
	return nil
}
