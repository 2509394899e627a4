package smtp

import (
	"testing"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/loopback/internal/servertest"
)

// BenchmarkDelivery measures SMTP delivery throughput: DATA, dot-unstuffing,
// header checks, the write to tmp/, fsync, rename and directory fsync.
func BenchmarkDelivery(b *testing.B) {
	for _, size := range []int64{4 << 10, 1 << 20} {
		b.Run(servertest.SizeName(size), func(b *testing.B) {
			ts := startServer(b, func(c *loopback.Config) { c.Limits.MaxMessageSize = 64 << 20 })
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				servertest.SendOne(b, ts.Addrs[Service], size)
			}
		})
	}
}
