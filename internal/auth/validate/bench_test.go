package validate

import "testing"

func BenchmarkValidateDefault(b *testing.B) {
	s := mustNew(b, DefaultSpecs()...)
	user := &User{Username: "john.doe", FirstName: "John", LastName: "Doe", Email: "john.doe@example.com"}
	passwords := []string{"correct horse battery staple", "password", "12345678", "johndoe", "Jürgen-Ünïcødé-Σ"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_ = s.Validate(passwords[i%len(passwords)], user)
	}
}
