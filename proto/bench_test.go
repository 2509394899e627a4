package proto

import (
	"bufio"
	"bytes"
	"io"
	"net/textproto"
	"testing"
)

// benchText is a typical message body: lines of 60 to 80 characters, a few
// beginning with ".", LF endings as a file on disk has them.
var benchText = func() []byte {
	var b bytes.Buffer
	for b.Len() < 4<<20 {
		b.WriteString("Ola, aqui esta mais uma das vertentes que se pode usar nos ips e afins.\n")
		b.WriteString("Return-Path: <batatas@quintal.net> Received: from batatas (proxy.iplei\n")
		b.WriteString(".a line that starts with a dot and must be stuffed on the wire\n")
	}
	return b.Bytes()
}()

var benchTextCRLF = bytes.ReplaceAll(benchText, []byte("\n"), []byte("\r\n"))

func BenchmarkDotWriter(b *testing.B) {
	for _, in := range []struct {
		name string
		data []byte
	}{{"LF", benchText}, {"CRLF", benchTextCRLF}} {
		b.Run("mailsh/"+in.name, func(b *testing.B) {
			bw := bufio.NewWriterSize(io.Discard, 64<<10)
			b.SetBytes(int64(len(in.data)))
			for b.Loop() {
				w := NewDotWriter(bw)
				w.Write(in.data)
				w.Close()
			}
		})
		b.Run("textproto/"+in.name, func(b *testing.B) {
			tw := textproto.NewWriter(bufio.NewWriterSize(io.Discard, 64<<10))
			b.SetBytes(int64(len(in.data)))
			for b.Loop() {
				w := tw.DotWriter()
				w.Write(in.data)
				w.Close()
			}
		})
	}
}

func BenchmarkDotReader(b *testing.B) {
	var enc bytes.Buffer
	w := NewDotWriter(&enc)
	w.Write(benchText)
	w.Close()
	wire := enc.Bytes()
	b.Run("mailsh", func(b *testing.B) {
		b.SetBytes(int64(len(wire)))
		for b.Loop() {
			dr := NewDotReader(NewLineReader(bytes.NewReader(wire)))
			io.Copy(io.Discard, dr)
		}
	})
	b.Run("textproto", func(b *testing.B) {
		b.SetBytes(int64(len(wire)))
		for b.Loop() {
			dr := textproto.NewReader(bufio.NewReaderSize(bytes.NewReader(wire), 64<<10)).DotReader()
			io.Copy(io.Discard, dr)
		}
	})
}

// An EHLO reply of a dozen lines, as Postfix sends.
