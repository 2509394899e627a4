package transcript

import (
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/mailsh/mailsh/internal/peertest"
)

// TestHTMLScreenshot renders the HTML export in headless Chromium and
// checks the picture: the page is drawn, the sequence diagram's arrows are
// there in the colours of their reply classes.
func TestHTMLScreenshot(t *testing.T) {
	chromium := peertest.Need(t, "chromium", "chromium", "chromium-browser", "google-chrome")
	dir := t.TempDir()
	page := filepath.Join(dir, "session.html")
	f, err := os.Create(page)
	if err != nil {
		t.Fatal(err)
	}
	if err := ExportHTML(record(t, Options{}, lecture), f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	shot := filepath.Join(dir, "shot.png")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--hide-scrollbars",
		"--window-size=1100,900", "--screenshot="+shot, "file://"+page)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	pf, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	img, err := png.Decode(pf)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 1100 || b.Dy() != 900 {
		t.Fatalf("screenshot is %v", b)
	}
	// The arrows of positive replies (green), of the 354 (cyan), and the
	// grey client arrows must all be on the page.
	for name, want := range map[string]color.RGBA{
		"positive reply arrow": {0x1a, 0x7f, 0x37, 0xff},
		"354 reply arrow":      {0x0b, 0x7a, 0x8f, 0xff},
		"command arrow":        {0x6e, 0x77, 0x81, 0xff},
	} {
		if n := count(img, want); n < 800 {
			t.Errorf("%s: %d pixels of %v", name, n, want)
		}
	}
}

// count counts the pixels close to colour c.
func count(img image.Image, c color.RGBA) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if near(r>>8, c.R) && near(g>>8, c.G) && near(bl>>8, c.B) {
				n++
			}
		}
	}
	return n
}

func near(a uint32, b uint8) bool {
	d := int(a) - int(b)
	return d > -12 && d < 12
}
