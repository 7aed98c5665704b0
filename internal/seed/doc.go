// Package seed reads and writes authctl's declarative seeding format (the
// file `apply -f` takes and `export` writes) and Django's dumpdata JSON,
// converting both to and from auth.Document.
//
// Invariants:
//   - Decoding never writes anything and reports every problem with its
//     location (file and line for seed files, object index for Django
//     dumps); an unknown key is an error naming the key and the line.
//   - A large users section (JSON array, block-style YAML list) is decoded
//     in chunks on every core (decode_parallel.go, decode_json_users.go,
//     decode_yaml_users.go); the result — users, positions, problems and
//     their text — is the sequential reading's, which a chunk that does not
//     decode cleanly falls back to (FuzzParallelDecodeMatches holds it).
//     A large file is not held whole: DecodeFile reads a JSON users array
//     or a YAML users section in pieces, with the same result
//     (decode_json_stream.go, decode_yaml_stream.go).
//   - Plain user objects are read without reflection (decode_json_fast.go,
//     decode_yaml_fast.go) into exactly the User encoding/json or yaml.v3
//     makes (FuzzFastJSONUser, FuzzFastYAMLUsers, run in CI); decoded
//     users go into an auth.UserTable, a streamed JSON file's chunk by
//     chunk and a split YAML section's batch by batch, on the workers, in
//     order (decode_tables.go).
//   - A seeding file never holds a plain password: a user's password comes
//     from password_env, password_file or password_hash, or is unusable.
//   - Export writes the apply format, so `export | apply -f -` reproduces
//     the database elsewhere.
package seed
