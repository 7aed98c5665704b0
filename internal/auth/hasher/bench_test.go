package hasher

import "testing"

// BenchmarkVerify measures one Verify of a correct password for each
// generating algorithm at Django's default parameters.
func BenchmarkVerify(b *testing.B) {
	for _, alg := range generating {
		b.Run(alg, func(b *testing.B) {
			s := mustSet(b, alg, DefaultParams())
			enc, err := s.Make("correct horse battery staple")
			if err != nil {
				b.Fatal(err)
			}
			h := s.Preferred()
			for b.Loop() {
				if !h.Verify("correct horse battery staple", enc) {
					b.Fatal("verify failed")
				}
			}
		})
	}
}
