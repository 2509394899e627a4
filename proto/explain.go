package proto

// enhancedSubjects and enhancedDetails explain RFC 3463 §3 and §4.
var enhancedClasses = map[int]string{
	2: "success", 4: "persistent transient failure", 5: "permanent failure",
}

var enhancedSubjects = map[int]string{
	0: "other or undefined status", 1: "addressing", 2: "mailbox", 3: "mail system",
	4: "network and routing", 5: "mail delivery protocol", 6: "message content or media",
	7: "security or policy",
}

var enhancedDetails = map[[2]int]string{
	{0, 0}: "other undefined status",
	{1, 0}: "other address status", {1, 1}: "bad destination mailbox address (no such user)",
	{1, 2}: "bad destination system address", {1, 3}: "bad destination mailbox address syntax",
	{1, 4}: "destination mailbox address ambiguous", {1, 5}: "destination address valid",
	{1, 6}: "destination mailbox has moved", {1, 7}: "bad sender's mailbox address syntax",
	{1, 8}: "bad sender's system address", {1, 10}: "recipient address has null MX",
	{2, 0}: "other or undefined mailbox status", {2, 1}: "mailbox disabled, not accepting messages",
	{2, 2}: "mailbox full", {2, 3}: "message length exceeds administrative limit",
	{2, 4}: "mailing list expansion problem",
	{3, 0}: "other or undefined mail system status", {3, 1}: "mail system full",
	{3, 2}: "system not accepting network messages", {3, 3}: "system not capable of selected features",
	{3, 4}: "message too big for system", {3, 5}: "system incorrectly configured",
	{4, 0}: "other or undefined network or routing status", {4, 1}: "no answer from host",
	{4, 2}: "bad connection", {4, 3}: "directory server failure", {4, 4}: "unable to route",
	{4, 5}: "mail system congestion", {4, 6}: "routing loop detected", {4, 7}: "delivery time expired",
	{5, 0}: "other or undefined protocol status", {5, 1}: "invalid command",
	{5, 2}: "syntax error", {5, 3}: "too many recipients", {5, 4}: "invalid command arguments",
	{5, 5}: "wrong protocol version", {5, 6}: "authentication exchange line too long",
	{6, 0}: "other or undefined media error", {6, 1}: "media not supported",
	{6, 2}: "conversion required and prohibited", {6, 3}: "conversion required but not supported",
	{6, 7}: "non-ASCII addresses not permitted for that sender/recipient (RFC 6531)",
	{7, 0}: "other or undefined security status", {7, 1}: "delivery not authorized, message refused",
	{7, 2}: "mailing list expansion prohibited", {7, 3}: "security conversion required but not possible",
	{7, 4}: "security features not supported", {7, 5}: "cryptographic failure",
	{7, 7}: "message integrity failure", {7, 8}: "authentication credentials invalid",
	{7, 9}: "authentication mechanism is too weak", {7, 10}: "encryption needed",
	{7, 11}: "encryption required for requested authentication mechanism",
	{7, 12}: "a password transition is needed", {7, 13}: "user account disabled",
	{7, 14}: "trust relationship required",
}

// Explain says in words what a reply means: its code or indicator, its
// enhanced status code and its POP3 response code.
func Explain(r *Reply) string { return r.Proto.Spec().Explain(r) }

// ExplainEnhanced explains an RFC 3463 enhanced status code.
func ExplainEnhanced(e EnhancedCode) string {
	cls := enhancedClasses[e.Class]
	if d, ok := enhancedDetails[[2]int{e.Subject, e.Detail}]; ok {
		return cls + ": " + d
	}
	if s, ok := enhancedSubjects[e.Subject]; ok {
		return cls + ": " + s
	}
	return cls
}
