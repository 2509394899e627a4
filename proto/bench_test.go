package proto

import (
	"bufio"
	"bytes"
	"io"
	"net/textproto"
	"strings"
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
var ehloReply = strings.Repeat("250-mail.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n250-ETRN\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n", 1)

func BenchmarkReadSMTPReply(b *testing.B) {
	wire := []byte(strings.Repeat(ehloReply, 1000))
	b.Run("mailsh", func(b *testing.B) {
		b.SetBytes(int64(len(wire)))
		for b.Loop() {
			lr := NewLineReader(bytes.NewReader(wire))
			for range 1000 {
				if _, err := ReadSMTPReply(lr); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("textproto", func(b *testing.B) {
		b.SetBytes(int64(len(wire)))
		for b.Loop() {
			tr := textproto.NewReader(bufio.NewReaderSize(bytes.NewReader(wire), 64<<10))
			for range 1000 {
				if _, _, err := tr.ReadResponse(250); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
