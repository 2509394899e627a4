// Package shell is what a person at a terminal, or a script on standard
// input, sees of a mailsh session: it reads lines, sends them through the
// protocol engine in package proto, and prints the exchange. It is a thin
// layer: the protocol rules live in proto; the shell adds line editing,
// colour, the DATA mode, password prompts and the ":" meta-commands.
package shell
