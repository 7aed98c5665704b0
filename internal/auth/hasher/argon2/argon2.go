// Copyright 2017 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package argon2

import (
	"encoding/binary"
	"sync"

	"golang.org/x/crypto/blake2b"
)

// Type is Argon2's type, the y parameter.
type Type uint32

const (
	TypeD  Type = 0
	TypeI  Type = 1
	TypeID Type = 2
)

// Argon2's versions, which a stored hash writes in decimal (v=16, v=19).
const (
	Version10 = 0x10
	Version13 = 0x13
)

const (
	blockLength = 128 // 1 KiB blocks of 64-bit words
	syncPoints  = 4   // slices per pass
)

// Block is one 1 KiB block of Argon2's memory.
type Block [blockLength]uint64

// BlockSize is the size of a Block in bytes.
const BlockSize = blockLength * 8

// block is the name x/crypto's code, kept as it was, uses for Block.
type block = Block

// Blocks is how many blocks Key uses for memory KiB over threads lanes:
// memory rounded down to a multiple of 4·threads, and at least 8·threads.
func Blocks(memory uint32, threads uint8) int {
	p := uint32(threads)
	m := memory / (syncPoints * p) * (syncPoints * p)
	return int(max(m, 2*syncPoints*p))
}

// Key derives a keyLen-byte key from password and salt with Argon2 of the
// given type and version, time passes over memory KiB in threads lanes,
// using mem[:Blocks(memory, threads)] as its memory. mem may hold anything
// and is left holding the hash's blocks. It panics if time or threads is
// zero or mem is too short.
func Key(mem []Block, typ Type, version uint32, password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	return deriveKey(mem, typ, version, password, salt, nil, nil, time, memory, threads, keyLen)
}

func deriveKey(mem []Block, typ Type, version uint32, password, salt, secret, data []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	if time < 1 {
		panic("argon2: number of rounds too small")
	}
	if threads < 1 {
		panic("argon2: parallelism degree too low")
	}
	n := Blocks(memory, threads)
	if len(mem) < n {
		panic("argon2: memory shorter than Blocks(memory, threads)")
	}
	h0 := initHash(password, salt, secret, data, time, memory, uint32(threads), keyLen, typ, version)
	B := mem[:n:n]
	initBlocks(B, &h0, uint32(n), uint32(threads))
	processBlocks(B, time, uint32(n), uint32(threads), typ, version)
	return extractKey(B, uint32(n), uint32(threads), keyLen)
}

func initHash(password, salt, key, data []byte, time, memory, threads, keyLen uint32, typ Type, version uint32) [blake2b.Size + 8]byte {
	var (
		h0     [blake2b.Size + 8]byte
		params [24]byte
		tmp    [4]byte
	)

	b2, _ := blake2b.New512(nil)
	binary.LittleEndian.PutUint32(params[0:4], threads)
	binary.LittleEndian.PutUint32(params[4:8], keyLen)
	binary.LittleEndian.PutUint32(params[8:12], memory)
	binary.LittleEndian.PutUint32(params[12:16], time)
	binary.LittleEndian.PutUint32(params[16:20], version)
	binary.LittleEndian.PutUint32(params[20:24], uint32(typ))
	b2.Write(params[:])
	for _, field := range [][]byte{password, salt, key, data} {
		binary.LittleEndian.PutUint32(tmp[:], uint32(len(field)))
		b2.Write(tmp[:])
		b2.Write(field)
	}
	b2.Sum(h0[:0])
	return h0
}

// initBlocks writes the first two blocks of each lane from H0.
func initBlocks(B []block, h0 *[blake2b.Size + 8]byte, memory, threads uint32) {
	var block0 [1024]byte
	for lane := uint32(0); lane < threads; lane++ {
		j := lane * (memory / threads)
		binary.LittleEndian.PutUint32(h0[blake2b.Size+4:], lane)
		for k := uint32(0); k < 2; k++ {
			binary.LittleEndian.PutUint32(h0[blake2b.Size:], k)
			blake2bHash(block0[:], h0[:])
			for i := range B[j+k] {
				B[j+k][i] = binary.LittleEndian.Uint64(block0[i*8:])
			}
		}
	}
}

func processBlocks(B []block, time, memory, threads uint32, typ Type, version uint32) {
	lanes := memory / threads
	segments := lanes / syncPoints

	processSegment := func(n, slice, lane uint32, wg *sync.WaitGroup) {
		var addresses, in, zero block
		independent := typ == TypeI || (typ == TypeID && n == 0 && slice < syncPoints/2)
		if independent {
			in[0] = uint64(n)
			in[1] = uint64(lane)
			in[2] = uint64(slice)
			in[3] = uint64(memory)
			in[4] = uint64(time)
			in[5] = uint64(typ)
		}

		index := uint32(0)
		if n == 0 && slice == 0 {
			index = 2 // the first two blocks of each lane come from H0
			if independent {
				in[6]++
				processBlock(&addresses, &in, &zero)
				processBlock(&addresses, &addresses, &zero)
			}
		}
		// The first pass stores each block (memory may hold anything);
		// later passes of version 1.3 XOR into the block's previous
		// contents, those of version 1.0 overwrite it.
		xor := n > 0 && version != Version10

		offset := lane*lanes + slice*segments + index
		var random uint64
		for index < segments {
			prev := offset - 1
			if index == 0 && slice == 0 {
				prev += lanes // the last block of the lane
			}
			if independent {
				if index%blockLength == 0 {
					in[6]++
					processBlock(&addresses, &in, &zero)
					processBlock(&addresses, &addresses, &zero)
				}
				random = addresses[index%blockLength]
			} else {
				random = B[prev][0]
			}
			newOffset := indexAlpha(random, lanes, segments, threads, n, slice, lane, index)
			if xor {
				processBlockXOR(&B[offset], &B[prev], &B[newOffset])
			} else {
				processBlock(&B[offset], &B[prev], &B[newOffset])
			}
			index, offset = index+1, offset+1
		}
		wg.Done()
	}

	for n := uint32(0); n < time; n++ {
		for slice := uint32(0); slice < syncPoints; slice++ {
			var wg sync.WaitGroup
			for lane := uint32(0); lane < threads; lane++ {
				wg.Add(1)
				go processSegment(n, slice, lane, &wg)
			}
			wg.Wait()
		}
	}
}

func extractKey(B []block, memory, threads, keyLen uint32) []byte {
	lanes := memory / threads
	for lane := uint32(0); lane < threads-1; lane++ {
		for i, v := range B[(lane*lanes)+lanes-1] {
			B[memory-1][i] ^= v
		}
	}

	var block [1024]byte
	for i, v := range B[memory-1] {
		binary.LittleEndian.PutUint64(block[i*8:], v)
	}
	key := make([]byte, keyLen)
	blake2bHash(key, block[:])
	return key
}

func indexAlpha(rand uint64, lanes, segments, threads, n, slice, lane, index uint32) uint32 {
	refLane := uint32(rand>>32) % threads
	if n == 0 && slice == 0 {
		refLane = lane
	}
	m, s := 3*segments, ((slice+1)%syncPoints)*segments
	if lane == refLane {
		m += index
	}
	if n == 0 {
		m, s = slice*segments, 0
		if slice == 0 || lane == refLane {
			m += index
		}
	}
	if index == 0 || lane == refLane {
		m--
	}
	return phi(rand, uint64(m), uint64(s), refLane, lanes)
}

func phi(rand, m, s uint64, lane, lanes uint32) uint32 {
	p := rand & 0xFFFFFFFF
	p = (p * p) >> 32
	p = (p * m) >> 32
	return lane*lanes + uint32((s+m-(p+1))%uint64(lanes))
}
