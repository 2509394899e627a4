module github.com/mailsh/mailsh

go 1.26
