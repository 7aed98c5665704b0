// The Argon2 core below is derived from golang.org/x/crypto/argon2
// (Copyright 2017 The Go Authors. All rights reserved. Use of this source
// code is governed by a BSD-style license that can be found in x/crypto's
// LICENSE file), extended with the argon2d variant and Argon2 version 1.0
// (0x10), which x/crypto does not expose.

package hasher

import (
	"encoding/binary"
	"hash"
	"sync"

	"golang.org/x/crypto/blake2b"
)

// Argon2 types (the y parameter) and versions.
const (
	argon2TypeD  = 0
	argon2TypeI  = 1
	argon2TypeID = 2

	argon2Version10 = 0x10
	argon2Version13 = 0x13
)

const (
	a2BlockWords = 128 // 1 KiB blocks of 64-bit words
	a2SyncPoints = 4   // slices per pass
)

type a2Block [a2BlockWords]uint64

// legacyArgon2Key is Argon2 of any type (argon2d, argon2i, argon2id) at
// version 0x10 or 0x13, in portable Go. It is used only to verify the stored
// forms x/crypto/argon2 cannot compute: argon2d, and version 1.0 (Django
// verifies both through argon2-cffi); new hashes always come from
// x/crypto's IDKey. Version 0x10 differs from 0x13 in two places: the
// version number in H0, and later passes overwrite each block instead of
// XORing into it. Parameters must already have passed checkArgon2Cost.
func legacyArgon2Key(typ int, version uint32, password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	lanes := uint32(threads)
	h0 := a2InitHash(password, salt, time, memory, lanes, keyLen, typ, version)
	memory = memory / (a2SyncPoints * lanes) * (a2SyncPoints * lanes)
	if memory < 2*a2SyncPoints*lanes {
		memory = 2 * a2SyncPoints * lanes
	}
	B := make([]a2Block, memory)
	a2InitBlocks(B, &h0, memory, lanes)
	a2Fill(B, time, memory, lanes, typ, version)
	return a2Extract(B, memory, lanes, keyLen)
}

func a2InitHash(password, salt []byte, time, memory, threads, keyLen uint32, typ int, version uint32) [blake2b.Size + 8]byte {
	var h0 [blake2b.Size + 8]byte
	var params [24]byte
	var tmp [4]byte
	b2, _ := blake2b.New512(nil)
	binary.LittleEndian.PutUint32(params[0:4], threads)
	binary.LittleEndian.PutUint32(params[4:8], keyLen)
	binary.LittleEndian.PutUint32(params[8:12], memory)
	binary.LittleEndian.PutUint32(params[12:16], time)
	binary.LittleEndian.PutUint32(params[16:20], version)
	binary.LittleEndian.PutUint32(params[20:24], uint32(typ))
	b2.Write(params[:])
	for _, field := range [][]byte{password, salt, nil, nil} { // secret and associated data are empty
		binary.LittleEndian.PutUint32(tmp[:], uint32(len(field)))
		b2.Write(tmp[:])
		b2.Write(field)
	}
	b2.Sum(h0[:0])
	return h0
}

func a2InitBlocks(B []a2Block, h0 *[blake2b.Size + 8]byte, memory, threads uint32) {
	var block0 [1024]byte
	for lane := uint32(0); lane < threads; lane++ {
		j := lane * (memory / threads)
		binary.LittleEndian.PutUint32(h0[blake2b.Size+4:], lane)
		for k := uint32(0); k < 2; k++ {
			binary.LittleEndian.PutUint32(h0[blake2b.Size:], k)
			a2Hash(block0[:], h0[:])
			for i := range B[j+k] {
				B[j+k][i] = binary.LittleEndian.Uint64(block0[i*8:])
			}
		}
	}
}

func a2Fill(B []a2Block, time, memory, threads uint32, typ int, version uint32) {
	laneLen := memory / threads
	segLen := laneLen / a2SyncPoints

	segment := func(n, slice, lane uint32, wg *sync.WaitGroup) {
		defer wg.Done()
		var addresses, in, zero a2Block
		independent := typ == argon2TypeI || (typ == argon2TypeID && n == 0 && slice < a2SyncPoints/2)
		if independent {
			in[0], in[1], in[2] = uint64(n), uint64(lane), uint64(slice)
			in[3], in[4], in[5] = uint64(memory), uint64(time), uint64(typ)
		}
		index := uint32(0)
		if n == 0 && slice == 0 {
			index = 2 // the first two blocks of each lane come from H0
			if independent {
				in[6]++
				a2Compress(&addresses, &in, &zero, false)
				a2Compress(&addresses, &addresses, &zero, false)
			}
		}
		offset := lane*laneLen + slice*segLen + index
		for index < segLen {
			prev := offset - 1
			if index == 0 && slice == 0 {
				prev += laneLen // the last block of the lane
			}
			var random uint64
			if independent {
				if index%a2BlockWords == 0 {
					in[6]++
					a2Compress(&addresses, &in, &zero, false)
					a2Compress(&addresses, &addresses, &zero, false)
				}
				random = addresses[index%a2BlockWords]
			} else {
				random = B[prev][0]
			}
			ref := a2IndexAlpha(random, laneLen, segLen, threads, n, slice, lane, index)
			// Version 1.3 XORs into the block's previous contents in later
			// passes; version 1.0 overwrites it. (In the first pass memory
			// is zero, so the two agree.)
			a2Compress(&B[offset], &B[prev], &B[ref], version != argon2Version10)
			index, offset = index+1, offset+1
		}
	}
	for n := uint32(0); n < time; n++ {
		for slice := uint32(0); slice < a2SyncPoints; slice++ {
			var wg sync.WaitGroup
			for lane := uint32(0); lane < threads; lane++ {
				wg.Add(1)
				go segment(n, slice, lane, &wg)
			}
			wg.Wait()
		}
	}
}

func a2Extract(B []a2Block, memory, threads, keyLen uint32) []byte {
	laneLen := memory / threads
	for lane := uint32(0); lane < threads-1; lane++ {
		for i, v := range B[lane*laneLen+laneLen-1] {
			B[memory-1][i] ^= v
		}
	}
	var block [1024]byte
	for i, v := range B[memory-1] {
		binary.LittleEndian.PutUint64(block[i*8:], v)
	}
	key := make([]byte, keyLen)
	a2Hash(key, block[:])
	return key
}

func a2IndexAlpha(rand uint64, laneLen, segLen, threads, n, slice, lane, index uint32) uint32 {
	refLane := uint32(rand>>32) % threads
	if n == 0 && slice == 0 {
		refLane = lane
	}
	m, s := 3*segLen, ((slice+1)%a2SyncPoints)*segLen
	if lane == refLane {
		m += index
	}
	if n == 0 {
		m, s = slice*segLen, 0
		if slice == 0 || lane == refLane {
			m += index
		}
	}
	if index == 0 || lane == refLane {
		m--
	}
	p := rand & 0xFFFFFFFF
	p = (p * p) >> 32
	p = (p * uint64(m)) >> 32
	return refLane*laneLen + uint32((uint64(s)+uint64(m)-(p+1))%uint64(laneLen))
}

// a2Hash is Argon2's variable-length hash H' of in, written to out.
func a2Hash(out []byte, in []byte) {
	var b2 hash.Hash
	if n := len(out); n < blake2b.Size {
		b2, _ = blake2b.New(n, nil)
	} else {
		b2, _ = blake2b.New512(nil)
	}
	var buffer [blake2b.Size]byte
	binary.LittleEndian.PutUint32(buffer[:4], uint32(len(out)))
	b2.Write(buffer[:4])
	b2.Write(in)
	if len(out) <= blake2b.Size {
		b2.Sum(out[:0])
		return
	}
	outLen := len(out)
	b2.Sum(buffer[:0])
	b2.Reset()
	copy(out, buffer[:32])
	out = out[32:]
	for len(out) > blake2b.Size {
		b2.Write(buffer[:])
		b2.Sum(buffer[:0])
		copy(out, buffer[:32])
		out = out[32:]
		b2.Reset()
	}
	if outLen%blake2b.Size > 0 {
		r := ((outLen + 31) / 32) - 2
		b2, _ = blake2b.New(outLen-32*r, nil)
	}
	b2.Write(buffer[:])
	b2.Sum(out[:0])
}

// a2Compress is Argon2's compression function G(in1, in2), stored into out
// or XORed into it.
func a2Compress(out, in1, in2 *a2Block, xor bool) {
	var t a2Block
	for i := range t {
		t[i] = in1[i] ^ in2[i]
	}
	for i := 0; i < a2BlockWords; i += 16 {
		a2Blamka(&t[i+0], &t[i+1], &t[i+2], &t[i+3], &t[i+4], &t[i+5], &t[i+6], &t[i+7],
			&t[i+8], &t[i+9], &t[i+10], &t[i+11], &t[i+12], &t[i+13], &t[i+14], &t[i+15])
	}
	for i := 0; i < a2BlockWords/8; i += 2 {
		a2Blamka(&t[i], &t[i+1], &t[16+i], &t[16+i+1], &t[32+i], &t[32+i+1], &t[48+i], &t[48+i+1],
			&t[64+i], &t[64+i+1], &t[80+i], &t[80+i+1], &t[96+i], &t[96+i+1], &t[112+i], &t[112+i+1])
	}
	if xor {
		for i := range t {
			out[i] ^= in1[i] ^ in2[i] ^ t[i]
		}
	} else {
		for i := range t {
			out[i] = in1[i] ^ in2[i] ^ t[i]
		}
	}
}

// a2G is BLAKE2b's G with Argon2's multiplication (BlaMka).
func a2G(a, b, c, d uint64) (uint64, uint64, uint64, uint64) {
	a += b + 2*uint64(uint32(a))*uint64(uint32(b))
	d ^= a
	d = d>>32 | d<<32
	c += d + 2*uint64(uint32(c))*uint64(uint32(d))
	b ^= c
	b = b>>24 | b<<40
	a += b + 2*uint64(uint32(a))*uint64(uint32(b))
	d ^= a
	d = d>>16 | d<<48
	c += d + 2*uint64(uint32(c))*uint64(uint32(d))
	b ^= c
	b = b>>63 | b<<1
	return a, b, c, d
}

// a2Blamka is BLAKE2b's round function on 16 words: columns, then
// diagonals.
func a2Blamka(t00, t01, t02, t03, t04, t05, t06, t07, t08, t09, t10, t11, t12, t13, t14, t15 *uint64) {
	v := [16]uint64{*t00, *t01, *t02, *t03, *t04, *t05, *t06, *t07, *t08, *t09, *t10, *t11, *t12, *t13, *t14, *t15}
	v[0], v[4], v[8], v[12] = a2G(v[0], v[4], v[8], v[12])
	v[1], v[5], v[9], v[13] = a2G(v[1], v[5], v[9], v[13])
	v[2], v[6], v[10], v[14] = a2G(v[2], v[6], v[10], v[14])
	v[3], v[7], v[11], v[15] = a2G(v[3], v[7], v[11], v[15])
	v[0], v[5], v[10], v[15] = a2G(v[0], v[5], v[10], v[15])
	v[1], v[6], v[11], v[12] = a2G(v[1], v[6], v[11], v[12])
	v[2], v[7], v[8], v[13] = a2G(v[2], v[7], v[8], v[13])
	v[3], v[4], v[9], v[14] = a2G(v[3], v[4], v[9], v[14])
	*t00, *t01, *t02, *t03, *t04, *t05, *t06, *t07 = v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]
	*t08, *t09, *t10, *t11, *t12, *t13, *t14, *t15 = v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15]
}
