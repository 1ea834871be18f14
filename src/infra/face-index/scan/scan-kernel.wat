;; The scan kernel of ScanPoolIndex (see scan-pool.index.ts for the data layout and why).
;; Built into scan-kernel.wasm.ts by `npm run build:wasm`; a unit test checks the two agree.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; Estimated similarity of every code in $nblocks blocks of 16 codes against a query given as 4-bit tables.
  ;; A block is $pairs rows of 16 bytes; row p holds nibble 2p of the 16 codes in the low halves of its
  ;; bytes and nibble 2p+1 in the high halves. $lut holds 2·$pairs tables of 16 bytes (table 2p, then 2p+1);
  ;; a table maps a nibble to a byte of at most 120, so two of them fit one byte lane.
  ;; Writes one u16 per code at $out ($pairs is even: the loop takes two rows at a time).
  ;; The byte sums are added as 16-bit lanes without widening: $even gathers odd·256 + even and $odd the odd
  ;; codes' sums, so even = $even − 256·$odd (mod 2^16, exact below 65,536) at the end of the block.
  (func (export "scan") (param $codes i32) (param $nblocks i32) (param $lut i32) (param $pairs i32) (param $out i32)
    (local $p i32) (local $end i32) (local $o i32) (local $t i32) (local $tend i32)
    (local $even v128) (local $odd v128) (local $c v128) (local $s v128) (local $m v128)
    (local.set $m (i8x16.splat (i32.const 15)))
    (local.set $p (local.get $codes))
    (local.set $o (local.get $out))
    (local.set $end (i32.add (local.get $codes) (i32.mul (local.get $nblocks) (i32.shl (local.get $pairs) (i32.const 4)))))
    (local.set $tend (i32.add (local.get $lut) (i32.shl (local.get $pairs) (i32.const 5))))
    (block $done
      (loop $block
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $even (v128.const i64x2 0 0))
        (local.set $odd (v128.const i64x2 0 0))
        (local.set $t (local.get $lut))
        (loop $row
          (local.set $c (v128.load (local.get $p)))
          (local.set $s (i8x16.add
            (i8x16.swizzle (v128.load (local.get $t)) (v128.and (local.get $c) (local.get $m)))
            (i8x16.swizzle (v128.load offset=16 (local.get $t)) (v128.and (i16x8.shr_u (local.get $c) (i32.const 4)) (local.get $m)))))
          (local.set $even (i16x8.add (local.get $even) (local.get $s)))
          (local.set $odd (i16x8.add (local.get $odd) (i16x8.shr_u (local.get $s) (i32.const 8))))
          (local.set $c (v128.load offset=16 (local.get $p)))
          (local.set $s (i8x16.add
            (i8x16.swizzle (v128.load offset=32 (local.get $t)) (v128.and (local.get $c) (local.get $m)))
            (i8x16.swizzle (v128.load offset=48 (local.get $t)) (v128.and (i16x8.shr_u (local.get $c) (i32.const 4)) (local.get $m)))))
          (local.set $even (i16x8.add (local.get $even) (local.get $s)))
          (local.set $odd (i16x8.add (local.get $odd) (i16x8.shr_u (local.get $s) (i32.const 8))))
          (local.set $p (i32.add (local.get $p) (i32.const 32)))
          (local.set $t (i32.add (local.get $t) (i32.const 64)))
          (br_if $row (i32.lt_u (local.get $t) (local.get $tend))))
        (local.set $even (i16x8.sub (local.get $even) (i16x8.shl (local.get $odd) (i32.const 8))))
        ;; codes 0-7 then 8-15: interleave the even and odd 16-bit lanes
        (v128.store (local.get $o)
          (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $even) (local.get $odd)))
        (v128.store offset=16 (local.get $o)
          (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $even) (local.get $odd)))
        (local.set $o (i32.add (local.get $o) (i32.const 32)))
        (br $block))))

  ;; Indices i < $n whose u16 score at $scores is at least $min, written as $first + i (u32) at $out in
  ;; index order. Stops after $cap of them and returns how many it wrote ($cap + 1 means "more than $cap").
  (func (export "collect") (param $scores i32) (param $n i32) (param $min i32) (param $out i32) (param $cap i32) (param $first i32) (result i32)
    (local $i i32) (local $k i32) (local $bits i32) (local $floor v128) (local $end i32)
    (local.set $floor (i16x8.splat (local.get $min)))
    (local.set $end (i32.and (local.get $n) (i32.const -8)))
    (block $done
      ;; eight scores at a time; only a block with a hit goes to the scalar path
      (loop $vec
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $bits (i16x8.bitmask (i16x8.ge_u
          (v128.load (i32.add (local.get $scores) (i32.shl (local.get $i) (i32.const 1)))) (local.get $floor))))
        (block $next
          (loop $hit
            (br_if $next (i32.eqz (local.get $bits)))
            (if (i32.ge_u (local.get $k) (local.get $cap)) (then (return (i32.add (local.get $cap) (i32.const 1)))))
            (i32.store (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2)))
              (i32.add (local.get $first) (i32.add (local.get $i) (i32.ctz (local.get $bits)))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
            (br $hit)))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $vec)))
    ;; the last n mod 8 scores
    (block $tail
      (loop $one
        (br_if $tail (i32.ge_u (local.get $i) (local.get $n)))
        (if (i32.ge_u (i32.load16_u (i32.add (local.get $scores) (i32.shl (local.get $i) (i32.const 1)))) (local.get $min))
          (then
            (if (i32.ge_u (local.get $k) (local.get $cap)) (then (return (i32.add (local.get $cap) (i32.const 1)))))
            (i32.store (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2))) (i32.add (local.get $first) (local.get $i)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $one)))
    (local.get $k))
  ;; Completes the estimate of $count candidates: for candidate i (row number at $rows + 4i, u32) adds the
  ;; table entries of its $bytes tail code bytes (row-major at $tail, $bytes per row; byte table b is the 256
  ;; bytes at $tables + 256b) to its head score (u16 at $scores + 2·row) and writes the sum as u16 at $out + 2i.
  ;; Candidates are scattered over memory: each batch is first touched with independent loads, so that their
  ;; cache misses overlap instead of being waited for one at a time (wasm has no prefetch). Returns a checksum
  ;; of the touched bytes, only so that the touching loads cannot be dropped.
  (func (export "refine") (param $rows i32) (param $count i32) (param $tail i32) (param $bytes i32) (param $tables i32) (param $scores i32) (param $out i32) (result i32)
    (local $i i32) (local $row i32) (local $code i32) (local $end i32) (local $t i32) (local $sum i32)
    (local $batch i32) (local $last i32) (local $touched i32) (local $w i32)
    (block $done
      (loop $batches
        (br_if $done (i32.ge_u (local.get $batch) (local.get $count)))
        (local.set $last (i32.add (local.get $batch) (i32.const 128)))
        (if (i32.gt_u (local.get $last) (local.get $count)) (then (local.set $last (local.get $count))))
        (local.set $i (local.get $batch))
        (loop $touch
          (local.set $row (i32.load (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 2)))))
          (local.set $touched (i32.add (local.get $touched)
            (i32.add
              (i32.load8_u (i32.add (local.get $tail) (i32.mul (local.get $row) (local.get $bytes))))
              (i32.load16_u (i32.add (local.get $scores) (i32.shl (local.get $row) (i32.const 1)))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $touch (i32.lt_u (local.get $i) (local.get $last))))
        (local.set $i (local.get $batch))
        (loop $each
          (local.set $row (i32.load (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 2)))))
          (local.set $sum (i32.load16_u (i32.add (local.get $scores) (i32.shl (local.get $row) (i32.const 1)))))
          (local.set $code (i32.add (local.get $tail) (i32.mul (local.get $row) (local.get $bytes))))
          (local.set $end (i32.add (local.get $code) (local.get $bytes)))
          (local.set $t (local.get $tables))
          ;; four code bytes per step while at least four are left, then one at a time
          (block $quads
            (loop $quad
              (br_if $quads (i32.gt_u (i32.add (local.get $code) (i32.const 4)) (local.get $end)))
              (local.set $w (i32.load (local.get $code)))
              (local.set $sum (i32.add (local.get $sum) (i32.add
                (i32.add
                  (i32.load8_u (i32.add (local.get $t) (i32.and (local.get $w) (i32.const 255))))
                  (i32.load8_u offset=256 (i32.add (local.get $t) (i32.and (i32.shr_u (local.get $w) (i32.const 8)) (i32.const 255)))))
                (i32.add
                  (i32.load8_u offset=512 (i32.add (local.get $t) (i32.and (i32.shr_u (local.get $w) (i32.const 16)) (i32.const 255))))
                  (i32.load8_u offset=768 (i32.add (local.get $t) (i32.shr_u (local.get $w) (i32.const 24))))))))
              (local.set $code (i32.add (local.get $code) (i32.const 4)))
              (local.set $t (i32.add (local.get $t) (i32.const 1024)))
              (br $quad)))
          (block $coded
            (loop $byte
              (br_if $coded (i32.ge_u (local.get $code) (local.get $end)))
              (local.set $sum (i32.add (local.get $sum)
                (i32.load8_u (i32.add (local.get $t) (i32.load8_u (local.get $code))))))
              (local.set $code (i32.add (local.get $code) (i32.const 1)))
              (local.set $t (i32.add (local.get $t) (i32.const 256)))
              (br $byte)))
          (i32.store16 (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 1))) (local.get $sum))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $each (i32.lt_u (local.get $i) (local.get $last))))
        (local.set $batch (local.get $last))
        (br $batches)))
    (local.get $touched))

  ;; Dot products of the float32 probe at $probe with $count int16 rows of $width values (a multiple of 8),
  ;; row r being the $width·2 bytes at $base + r·$width·2 and the rows listed as u32 at $list; written as
  ;; float32 at $out (the exact re-rank of the best candidates; scales applied by the caller). Like refine,
  ;; it touches every cache line of a batch of rows before reading them, so that their misses overlap.
  (func (export "dots") (param $list i32) (param $count i32) (param $base i32) (param $width i32) (param $probe i32) (param $out i32) (result i32)
    (local $r i32) (local $j i32) (local $row i32) (local $v v128) (local $a v128) (local $b v128) (local $acc v128)
    (local $batch i32) (local $last i32) (local $line i32) (local $rowEnd i32) (local $touched i32) (local $bytes i32)
    (local.set $bytes (i32.shl (local.get $width) (i32.const 1)))
    (block $done
      (loop $batches
        (br_if $done (i32.ge_u (local.get $batch) (local.get $count)))
        (local.set $last (i32.add (local.get $batch) (i32.const 32)))
        (if (i32.gt_u (local.get $last) (local.get $count)) (then (local.set $last (local.get $count))))
        (local.set $r (local.get $batch))
        (loop $touch
          (local.set $line (i32.add (local.get $base) (i32.mul
            (i32.load (i32.add (local.get $list) (i32.shl (local.get $r) (i32.const 2)))) (local.get $bytes))))
          (local.set $rowEnd (i32.add (local.get $line) (local.get $bytes)))
          (loop $lines
            (local.set $touched (i32.add (local.get $touched) (i32.load8_u (local.get $line))))
            (local.set $line (i32.add (local.get $line) (i32.const 64)))
            (br_if $lines (i32.lt_u (local.get $line) (local.get $rowEnd))))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br_if $touch (i32.lt_u (local.get $r) (local.get $last))))
        (local.set $r (local.get $batch))
        (loop $each
          (local.set $a (v128.const i64x2 0 0))
          (local.set $b (v128.const i64x2 0 0))
          (local.set $row (i32.add (local.get $base) (i32.mul
            (i32.load (i32.add (local.get $list) (i32.shl (local.get $r) (i32.const 2)))) (local.get $bytes))))
          (local.set $j (i32.const 0))
          (loop $lanes
            (local.set $v (v128.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 1)))))
            (local.set $a (f32x4.add (local.get $a) (f32x4.mul
              (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $v)))
              (v128.load (i32.add (local.get $probe) (i32.shl (local.get $j) (i32.const 2)))))))
            (local.set $b (f32x4.add (local.get $b) (f32x4.mul
              (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $v)))
              (v128.load offset=16 (i32.add (local.get $probe) (i32.shl (local.get $j) (i32.const 2)))))))
            (local.set $j (i32.add (local.get $j) (i32.const 8)))
            (br_if $lanes (i32.lt_u (local.get $j) (local.get $width))))
          (local.set $acc (f32x4.add (local.get $a) (local.get $b)))
          (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2)))
            (f32.add
              (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
              (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br_if $each (i32.lt_u (local.get $r) (local.get $last))))
        (local.set $batch (local.get $last))
        (br $batches)))
    (local.get $touched))
)
