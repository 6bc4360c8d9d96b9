// Package secrettest proves, in tests, that secrets stay secret: a test
// registers every secret value it uses in a [Registry] and then scans
// whatever the code under test produced for them.
//
// A scan looks for each value as it is and in the forms it takes when it
// is carried somewhere: JSON-escaped, URL-query-escaped, and standard or
// URL-safe base64 (see [Forms]). A [Leak] names the place, the secret's
// label and the form found, never the value itself, so a failing test
// does not print what it protects.
//
// The Find methods return leaks; the Check methods report each one with
// t.Errorf:
//
//   - [Registry.CheckString] and [Registry.CheckBytes] for text;
//   - [Registry.CheckError] for an error's text and its whole chain;
//   - [Registry.CheckValue] for records (job records, catalog entries,
//     events): their JSON and their %+v and %#v forms;
//   - [Registry.CheckDir] for every file under a directory;
//   - [Registry.CheckRequests] for the requests fabrictest recorded;
//   - [Registry.CheckLogs] for what a [Handler], a recording
//     slog.Handler, saw.
//
// Values shorter than [MinLen] are refused by [Registry.Add]: they would
// match by chance. A test uses values long and distinctive enough to be
// found only where they leaked.
package secrettest
