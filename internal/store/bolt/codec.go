package bolt

import "encoding/json"

// encodeRecord and decodeRecord are the one place that knows how a record
// is stored in its bucket's value. decodeRecord must return an error, never
// panic, whatever bytes a damaged file holds (FuzzDecodeRecords).
func encodeRecord(rec any) ([]byte, error) { return json.Marshal(rec) }

func decodeRecord[T any](v []byte, rec *T) error { return json.Unmarshal(v, rec) }
