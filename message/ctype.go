package message

import (
	"bytes"
	"io"
	"mime"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// extTypes are the media types mailsh gives attachments by file name
// extension before asking the system's table (which differs between
// machines): the types a course hands around.
var extTypes = map[string]string{
	".txt": "text/plain", ".text": "text/plain", ".csv": "text/csv", ".md": "text/markdown",
	".htm": "text/html", ".html": "text/html", ".css": "text/css", ".ics": "text/calendar", ".vcf": "text/vcard",
	".xml": "application/xml", ".json": "application/json", ".js": "text/javascript",
	".pdf": "application/pdf", ".rtf": "application/rtf", ".ps": "application/postscript",
	".ppt": "application/vnd.ms-powerpoint", ".pps": "application/vnd.ms-powerpoint",
	".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".doc":  "application/msword",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xls":  "application/vnd.ms-excel",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".odt":  "application/vnd.oasis.opendocument.text", ".ods": "application/vnd.oasis.opendocument.spreadsheet",
	".odp": "application/vnd.oasis.opendocument.presentation",
	".zip": "application/zip", ".gz": "application/gzip", ".tgz": "application/gzip", ".tar": "application/x-tar",
	".7z": "application/x-7z-compressed", ".bz2": "application/x-bzip2", ".xz": "application/x-xz",
	".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".svg": "image/svg+xml",
	".webp": "image/webp", ".bmp": "image/bmp", ".tif": "image/tiff", ".tiff": "image/tiff",
	".mp3": "audio/mpeg", ".wav": "audio/wav", ".ogg": "audio/ogg", ".mp4": "video/mp4", ".webm": "video/webm",
	".eml": "message/rfc822", ".p7s": "application/pkcs7-signature", ".asc": "application/pgp-signature",
}

// magic are file signatures for files whose name says nothing.
var magic = []struct {
	prefix []byte
	typ    string
}{
	{[]byte("%PDF-"), "application/pdf"},
	{[]byte("\x89PNG\r\n\x1a\n"), "image/png"},
	{[]byte("\xff\xd8\xff"), "image/jpeg"},
	{[]byte("GIF87a"), "image/gif"},
	{[]byte("GIF89a"), "image/gif"},
	{[]byte("PK\x03\x04"), "application/zip"},
	{[]byte("\x1f\x8b"), "application/gzip"},
	{[]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), "application/x-ole-storage"}, // .doc, .xls, .ppt
	{[]byte("7z\xbc\xaf\x27\x1c"), "application/x-7z-compressed"},
	{[]byte("BZh"), "application/x-bzip2"},
	{[]byte("%!PS"), "application/postscript"},
	{[]byte("{\\rtf"), "application/rtf"},
}

// ContentTypeFor gives a file's media type (RFC 2046): by its extension
// (mailsh's table, then the system's), else by its first octets (file
// signatures; text that is valid UTF-8 with no NUL is text/plain), else
// application/octet-stream.
func ContentTypeFor(path string) string {
	ext := strings.ToLower(filepath.Ext(path))
	if t, ok := extTypes[ext]; ok {
		return t
	}
	if ext != "" {
		if t := mime.TypeByExtension(ext); t != "" {
			if mt, _, err := mime.ParseMediaType(t); err == nil {
				return mt
			}
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return "application/octet-stream"
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	return sniff(head[:n])
}

func sniff(head []byte) string {
	for _, m := range magic {
		if bytes.HasPrefix(head, m.prefix) {
			return m.typ
		}
	}
	if len(head) > 0 && bytes.IndexByte(head, 0) < 0 && validUTF8Prefix(head) {
		return "text/plain"
	}
	return "application/octet-stream"
}

// validUTF8Prefix is utf8.Valid allowing a rune cut at the end.
func validUTF8Prefix(b []byte) bool {
	for i := 0; i < 3 && len(b) > 0 && !utf8.Valid(b); i++ {
		b = b[:len(b)-1]
	}
	return utf8.Valid(b)
}
