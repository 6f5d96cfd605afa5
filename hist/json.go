package hist

import "encoding/json"

// JSONBucket is one row of a histogram in JSON, named as bcc's JSON output
// names them.
type JSONBucket struct {
	Start uint64 `json:"interval-start"`
	End   uint64 `json:"interval-end"`
	Count uint64 `json:"count"`
}

// JSONHist is a histogram in JSON: what the values are, how they are
// bucketed, and the buckets from the first to the last non-empty one (both
// bounds inclusive).
type JSONHist struct {
	ValType string       `json:"val_type"`
	Kind    string       `json:"kind"`
	Total   uint64       `json:"total"`
	Data    []JSONBucket `json:"data"`
}

// ToJSON returns h as a JSONHist. The buckets of a linear histogram below
// Min and at or above Max, when not empty, are the first and last rows.
func ToJSON(h *Hist, valType string) JSONHist {
	j := JSONHist{ValType: valType, Kind: h.Kind.String(), Total: h.Total(), Data: []JSONBucket{}}
	first, last := h.used()
	for i := first; i >= 0 && i <= last; i++ {
		b := h.Bucket(i)
		j.Data = append(j.Data, JSONBucket{Start: b.Low, End: b.High, Count: b.Count})
	}
	return j
}

// MarshalJSON encodes h with no value type; use ToJSON to name one.
func (h *Hist) MarshalJSON() ([]byte, error) { return json.Marshal(ToJSON(h, "")) }
