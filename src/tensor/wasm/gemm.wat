;; gemm for the kernels module: C = alpha·op(A)·op(B) + beta·C with f32x4 dot-product micro-kernels.
;; A fragment of the kernels module (scripts/build-wasm.mjs joins the fragments); not a module by itself.

  ;; ---------------------------------------------------------------------------------------------------------------
  ;; gemm. Every case is reduced to C += alpha · A'·B'ᵀ where A' (m×k) and B' (n×k) both have rows contiguous along k:
  ;; the micro-kernel is then four rows of A' against two rows of B' as eight 4-lane dot products. op(B)ᵀ is B itself
  ;; when transB, else a transposed copy in scratch; A is copied (transposed when transA) block by block into a
  ;; contiguous MC×KC panel that stays in L1 while all of B' streams past it.
  ;; ---------------------------------------------------------------------------------------------------------------

  ;; C (m×n, ldc floats) = beta·C; beta = 0 writes zeros without reading (C may hold NaN).
  (func $scale_matrix (param $c i32) (param $m i32) (param $n i32) (param $ldc i32) (param $beta f32)
    (local $i i32) (local $p i32) (local $end i32) (local $vb v128) (local $lanes i32)
    (if (f32.eq (local.get $beta) (f32.const 1)) (then (return)))
    (local.set $vb (f32x4.splat (local.get $beta)))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $i) (local.get $m)))
      (local.set $p (i32.add (local.get $c) (i32.shl (i32.mul (local.get $i) (local.get $ldc)) (i32.const 2))))
      (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
      (block $rowdone (loop $cols
        (br_if $rowdone (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $lanes (call $lanes (local.get $p) (local.get $end)))
        (if (f32.eq (local.get $beta) (f32.const 0))
          (then (call $st (local.get $p) (v128.const i32x4 0 0 0 0) (local.get $lanes)))
          (else (call $st (local.get $p) (f32x4.mul (call $ld (local.get $p) (local.get $lanes)) (local.get $vb)) (local.get $lanes))))
        (local.set $p (i32.add (local.get $p) (i32.shl (local.get $lanes) (i32.const 2))))
        (br $cols)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rows))))

  ;; dst[c·ldd + r] = src[r·lds + c] for r < R, c < C (lds, ldd in floats): 4×4 blocks by shuffles, scalar edges.
  (func $transpose (param $src i32) (param $lds i32) (param $R i32) (param $C i32) (param $dst i32) (param $ldd i32)
    (local $r i32) (local $c i32) (local $s i32) (local $d i32) (local $ls i32) (local $ldb i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $ls (i32.shl (local.get $lds) (i32.const 2)))
    (local.set $ldb (i32.shl (local.get $ldd) (i32.const 2)))
    (block $rdone (loop $rloop
      (br_if $rdone (i32.gt_u (i32.add (local.get $r) (i32.const 4)) (local.get $R)))
      (local.set $c (i32.const 0))
      (block $cdone (loop $cloop
        (br_if $cdone (i32.gt_u (i32.add (local.get $c) (i32.const 4)) (local.get $C)))
        (local.set $s (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $lds)) (local.get $c)) (i32.const 2))))
        (local.set $x0 (v128.load (local.get $s)))
        (local.set $x1 (v128.load (i32.add (local.get $s) (local.get $ls))))
        (local.set $x2 (v128.load (i32.add (local.get $s) (i32.shl (local.get $ls) (i32.const 1)))))
        (local.set $x3 (v128.load (i32.add (local.get $s) (i32.mul (local.get $ls) (i32.const 3)))))
        (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $x0) (local.get $x1)))
        (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $x0) (local.get $x1)))
        (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $x2) (local.get $x3)))
        (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $x2) (local.get $x3)))
        (local.set $d (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $ldd)) (local.get $r)) (i32.const 2))))
        (v128.store (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
        (v128.store (i32.add (local.get $d) (local.get $ldb))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
        (v128.store (i32.add (local.get $d) (i32.shl (local.get $ldb) (i32.const 1)))
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
        (v128.store (i32.add (local.get $d) (i32.mul (local.get $ldb) (i32.const 3)))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $cloop)))
      ;; the last C mod 4 columns of these four rows
      (call $transpose_scalar (local.get $src) (local.get $lds) (local.get $r) (i32.add (local.get $r) (i32.const 4))
        (local.get $c) (local.get $C) (local.get $dst) (local.get $ldd))
      (local.set $r (i32.add (local.get $r) (i32.const 4)))
      (br $rloop)))
    ;; the last R mod 4 rows
    (call $transpose_scalar (local.get $src) (local.get $lds) (local.get $r) (local.get $R)
      (i32.const 0) (local.get $C) (local.get $dst) (local.get $ldd)))

  (func $transpose_scalar (param $src i32) (param $lds i32) (param $r0 i32) (param $r1 i32) (param $c0 i32) (param $c1 i32)
                          (param $dst i32) (param $ldd i32)
    (local $r i32) (local $c i32)
    (local.set $r (local.get $r0))
    (block $rdone (loop $rloop
      (br_if $rdone (i32.ge_u (local.get $r) (local.get $r1)))
      (local.set $c (local.get $c0))
      (block $cdone (loop $cloop
        (br_if $cdone (i32.ge_u (local.get $c) (local.get $c1)))
        (f32.store (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $ldd)) (local.get $r)) (i32.const 2)))
          (f32.load (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $lds)) (local.get $c)) (i32.const 2)))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $cloop)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rloop))))

  ;; One column pair of a block: for every four rows of the packed A panel (mc rows of kc floats), the dot products with
  ;; the B' rows at b0 and b1 (b1 = b0 when only one column is left), then C[i.., j..] += alpha · sums.
  (func $kernel_cols (param $ap i32) (param $mc i32) (param $kc i32) (param $b0 i32) (param $b1 i32)
                     (param $c i32) (param $ldc i32) (param $alpha f32) (param $ncols i32)
    (local $i i32) (local $rows i32) (local $kb i32) (local $end8 i32) (local $end4 i32) (local $o i32)
    (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32) (local $ldcb i32) (local $cp i32)
    (local $acc00 v128) (local $acc01 v128) (local $acc10 v128) (local $acc11 v128)
    (local $acc20 v128) (local $acc21 v128) (local $acc30 v128) (local $acc31 v128)
    (local $va v128) (local $vb0 v128) (local $vb1 v128) (local $u0 v128) (local $u1 v128) (local $t0 v128) (local $t1 v128)
    (local.set $kb (i32.shl (local.get $kc) (i32.const 2)))
    (local.set $end8 (i32.and (local.get $kb) (i32.const -32)))
    (local.set $end4 (i32.and (local.get $kb) (i32.const -16)))
    (local.set $ldcb (i32.shl (local.get $ldc) (i32.const 2)))
    (block $idone (loop $iloop
      (br_if $idone (i32.ge_u (local.get $i) (local.get $mc)))
      (local.set $rows (i32.sub (local.get $mc) (local.get $i)))
      ;; missing rows of the last group repeat row 0; their sums are not stored
      (local.set $a0 (i32.add (local.get $ap) (i32.mul (local.get $i) (local.get $kb))))
      (local.set $a1 (select (i32.add (local.get $a0) (local.get $kb)) (local.get $a0) (i32.gt_u (local.get $rows) (i32.const 1))))
      (local.set $a2 (select (i32.add (local.get $a1) (local.get $kb)) (local.get $a0) (i32.gt_u (local.get $rows) (i32.const 2))))
      (local.set $a3 (select (i32.add (local.get $a2) (local.get $kb)) (local.get $a0) (i32.gt_u (local.get $rows) (i32.const 3))))
      (local.set $acc00 (v128.const i32x4 0 0 0 0)) (local.set $acc01 (v128.const i32x4 0 0 0 0))
      (local.set $acc10 (v128.const i32x4 0 0 0 0)) (local.set $acc11 (v128.const i32x4 0 0 0 0))
      (local.set $acc20 (v128.const i32x4 0 0 0 0)) (local.set $acc21 (v128.const i32x4 0 0 0 0))
      (local.set $acc30 (v128.const i32x4 0 0 0 0)) (local.set $acc31 (v128.const i32x4 0 0 0 0))
      (local.set $o (i32.const 0))
      ;; eight k at a time (two vectors), then four, then one
      (block $d8 (loop $l8
        (br_if $d8 (i32.ge_u (local.get $o) (local.get $end8)))
        (local.set $vb0 (v128.load (i32.add (local.get $b0) (local.get $o))))
        (local.set $vb1 (v128.load (i32.add (local.get $b1) (local.get $o))))
        (local.set $va (v128.load (i32.add (local.get $a0) (local.get $o))))
        (local.set $acc00 (f32x4.add (local.get $acc00) (f32x4.mul (local.get $va) (local.get $vb0))))
        (local.set $acc01 (f32x4.add (local.get $acc01) (f32x4.mul (local.get $va) (local.get $vb1))))
        (local.set $va (v128.load (i32.add (local.get $a1) (local.get $o))))
        (local.set $acc10 (f32x4.add (local.get $acc10) (f32x4.mul (local.get $va) (local.get $vb0))))
        (local.set $acc11 (f32x4.add (local.get $acc11) (f32x4.mul (local.get $va) (local.get $vb1))))
        (local.set $va (v128.load (i32.add (local.get $a2) (local.get $o))))
        (local.set $acc20 (f32x4.add (local.get $acc20) (f32x4.mul (local.get $va) (local.get $vb0))))
        (local.set $acc21 (f32x4.add (local.get $acc21) (f32x4.mul (local.get $va) (local.get $vb1))))
        (local.set $va (v128.load (i32.add (local.get $a3) (local.get $o))))
        (local.set $acc30 (f32x4.add (local.get $acc30) (f32x4.mul (local.get $va) (local.get $vb0))))
        (local.set $acc31 (f32x4.add (local.get $acc31) (f32x4.mul (local.get $va) (local.get $vb1))))
        (local.set $vb0 (v128.load offset=16 (i32.add (local.get $b0) (local.get $o))))
        (local.set $vb1 (v128.load offset=16 (i32.add (local.get $b1) (local.get $o))))
        (local.set $va (v128.load offset=16 (i32.add (local.get $a0) (local.get $o))))
        (local.set $acc00 (f32x4.add (local.get $acc00) (f32x4.mul (local.get $va) (local.get $vb0))))
        (local.set $acc01 (f32x4.add (local.get $acc01) (f32x4.mul (local.get $va) (local.get $vb1))))
        (local.set $va (v128.load offset=16 (i32.add (local.get $a1) (local.get $o))))
        (local.set $acc10 (f32x4.add (local.get $acc10) (f32x4.mul (local.get $va) (local.get $vb0))))
        (local.set $acc11 (f32x4.add (local.get $acc11) (f32x4.mul (local.get $va) (local.get $vb1))))
        (local.set $va (v128.load offset=16 (i32.add (local.get $a2) (local.get $o))))
        (local.set $acc20 (f32x4.add (local.get $acc20) (f32x4.mul (local.get $va) (local.get $vb0))))
        (local.set $acc21 (f32x4.add (local.get $acc21) (f32x4.mul (local.get $va) (local.get $vb1))))
        (local.set $va (v128.load offset=16 (i32.add (local.get $a3) (local.get $o))))
        (local.set $acc30 (f32x4.add (local.get $acc30) (f32x4.mul (local.get $va) (local.get $vb0))))
        (local.set $acc31 (f32x4.add (local.get $acc31) (f32x4.mul (local.get $va) (local.get $vb1))))
        (local.set $o (i32.add (local.get $o) (i32.const 32)))
        (br $l8)))
      (block $d1 (loop $l1
        (br_if $d1 (i32.ge_u (local.get $o) (local.get $kb)))
        (if (i32.lt_u (local.get $o) (local.get $end4))
          (then
            (local.set $vb0 (v128.load (i32.add (local.get $b0) (local.get $o))))
            (local.set $vb1 (v128.load (i32.add (local.get $b1) (local.get $o))))
            (local.set $t0 (v128.load (i32.add (local.get $a0) (local.get $o))))
            (local.set $t1 (v128.load (i32.add (local.get $a1) (local.get $o))))
            (local.set $u0 (v128.load (i32.add (local.get $a2) (local.get $o))))
            (local.set $u1 (v128.load (i32.add (local.get $a3) (local.get $o))))
            (local.set $o (i32.add (local.get $o) (i32.const 16))))
          (else
            (local.set $vb0 (v128.load32_zero (i32.add (local.get $b0) (local.get $o))))
            (local.set $vb1 (v128.load32_zero (i32.add (local.get $b1) (local.get $o))))
            (local.set $t0 (v128.load32_zero (i32.add (local.get $a0) (local.get $o))))
            (local.set $t1 (v128.load32_zero (i32.add (local.get $a1) (local.get $o))))
            (local.set $u0 (v128.load32_zero (i32.add (local.get $a2) (local.get $o))))
            (local.set $u1 (v128.load32_zero (i32.add (local.get $a3) (local.get $o))))
            (local.set $o (i32.add (local.get $o) (i32.const 4)))))
        (local.set $acc00 (f32x4.add (local.get $acc00) (f32x4.mul (local.get $t0) (local.get $vb0))))
        (local.set $acc01 (f32x4.add (local.get $acc01) (f32x4.mul (local.get $t0) (local.get $vb1))))
        (local.set $acc10 (f32x4.add (local.get $acc10) (f32x4.mul (local.get $t1) (local.get $vb0))))
        (local.set $acc11 (f32x4.add (local.get $acc11) (f32x4.mul (local.get $t1) (local.get $vb1))))
        (local.set $acc20 (f32x4.add (local.get $acc20) (f32x4.mul (local.get $u0) (local.get $vb0))))
        (local.set $acc21 (f32x4.add (local.get $acc21) (f32x4.mul (local.get $u0) (local.get $vb1))))
        (local.set $acc30 (f32x4.add (local.get $acc30) (f32x4.mul (local.get $u1) (local.get $vb0))))
        (local.set $acc31 (f32x4.add (local.get $acc31) (f32x4.mul (local.get $u1) (local.get $vb1))))
        (br $l1)))
      ;; horizontal sums: u0 = [Σacc00, Σacc10, Σacc20, Σacc30] (column j), u1 likewise for column j + 1
      (local.set $u0 (call $hsum4 (local.get $acc00) (local.get $acc10) (local.get $acc20) (local.get $acc30)))
      (local.set $u1 (call $hsum4 (local.get $acc01) (local.get $acc11) (local.get $acc21) (local.get $acc31)))
      (local.set $u0 (f32x4.mul (local.get $u0) (f32x4.splat (local.get $alpha))))
      (local.set $u1 (f32x4.mul (local.get $u1) (f32x4.splat (local.get $alpha))))
      (local.set $cp (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $ldcb))))
      (call $store_pair (local.get $cp) (f32x4.extract_lane 0 (local.get $u0)) (f32x4.extract_lane 0 (local.get $u1)) (local.get $ncols))
      (if (i32.gt_u (local.get $rows) (i32.const 1)) (then
        (local.set $cp (i32.add (local.get $cp) (local.get $ldcb)))
        (call $store_pair (local.get $cp) (f32x4.extract_lane 1 (local.get $u0)) (f32x4.extract_lane 1 (local.get $u1)) (local.get $ncols))))
      (if (i32.gt_u (local.get $rows) (i32.const 2)) (then
        (local.set $cp (i32.add (local.get $cp) (local.get $ldcb)))
        (call $store_pair (local.get $cp) (f32x4.extract_lane 2 (local.get $u0)) (f32x4.extract_lane 2 (local.get $u1)) (local.get $ncols))))
      (if (i32.gt_u (local.get $rows) (i32.const 3)) (then
        (local.set $cp (i32.add (local.get $cp) (local.get $ldcb)))
        (call $store_pair (local.get $cp) (f32x4.extract_lane 3 (local.get $u0)) (f32x4.extract_lane 3 (local.get $u1)) (local.get $ncols))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $iloop))))

  ;; [Σx0, Σx1, Σx2, Σx3] by two rounds of pairwise shuffles and adds
  (func $hsum4 (param $x0 v128) (param $x1 v128) (param $x2 v128) (param $x3 v128) (result v128)
    (local $t0 v128) (local $t1 v128)
    ;; t0 = [x0_0+x0_2, x0_1+x0_3, x1_0+x1_2, x1_1+x1_3]
    (local.set $t0 (f32x4.add
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x0) (local.get $x1))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x0) (local.get $x1))))
    (local.set $t1 (f32x4.add
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x2) (local.get $x3))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x2) (local.get $x3))))
    (f32x4.add
      (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $t0) (local.get $t1))
      (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $t0) (local.get $t1))))

  (func $store_pair (param $p i32) (param $s0 f32) (param $s1 f32) (param $ncols i32)
    (f32.store (local.get $p) (f32.add (f32.load (local.get $p)) (local.get $s0)))
    (if (i32.eq (local.get $ncols) (i32.const 2))
      (then (f32.store offset=4 (local.get $p) (f32.add (f32.load offset=4 (local.get $p)) (local.get $s1))))))

  ;; BLAS sgemm semantics, row-major (see Kernels.gemm); scratch must hold (transB ? 0 : n·k) + MC·KC floats + 16 bytes.
  (func (export "gemm") (param $transA i32) (param $transB i32) (param $m i32) (param $n i32) (param $k i32) (param $alpha f32)
        (param $a i32) (param $lda i32) (param $b i32) (param $ldb i32) (param $beta f32) (param $c i32) (param $ldc i32)
        (param $scratch i32) (param $MC i32) (param $KC i32)
    (local $bt i32) (local $ldbt i32) (local $pack i32) (local $pc i32) (local $kc i32) (local $ic i32) (local $mc i32)
    (local $j i32) (local $ncols i32) (local $b0 i32)
    (call $scale_matrix (local.get $c) (local.get $m) (local.get $n) (local.get $ldc) (local.get $beta))
    (if (i32.or (f32.eq (local.get $alpha) (f32.const 0))
                (i32.or (i32.eqz (local.get $k)) (i32.or (i32.eqz (local.get $m)) (i32.eqz (local.get $n)))))
      (then (return)))
    (local.set $pack (local.get $scratch))
    (if (local.get $transB)
      (then (local.set $bt (local.get $b)) (local.set $ldbt (local.get $ldb)))
      (else
        ;; B is k×n: B' = Bᵀ (n×k) in scratch
        (call $transpose (local.get $b) (local.get $ldb) (local.get $k) (local.get $n) (local.get $scratch) (local.get $k))
        (local.set $bt (local.get $scratch))
        (local.set $ldbt (local.get $k))
        (local.set $pack (i32.and (i32.add (i32.add (local.get $scratch) (i32.shl (i32.mul (local.get $n) (local.get $k)) (i32.const 2)))
                                           (i32.const 15)) (i32.const -16)))))
    (block $pdone (loop $ploop
      (br_if $pdone (i32.ge_u (local.get $pc) (local.get $k)))
      (local.set $kc (select (local.get $KC) (i32.sub (local.get $k) (local.get $pc))
                             (i32.lt_u (local.get $KC) (i32.sub (local.get $k) (local.get $pc)))))
      (local.set $ic (i32.const 0))
      (block $idone (loop $iloop
        (br_if $idone (i32.ge_u (local.get $ic) (local.get $m)))
        (local.set $mc (select (local.get $MC) (i32.sub (local.get $m) (local.get $ic))
                               (i32.lt_u (local.get $MC) (i32.sub (local.get $m) (local.get $ic)))))
        (call $pack_a (local.get $a) (local.get $lda) (local.get $transA) (local.get $ic) (local.get $pc)
                      (local.get $mc) (local.get $kc) (local.get $pack))
        (local.set $j (i32.const 0))
        (block $jdone (loop $jloop
          (br_if $jdone (i32.ge_u (local.get $j) (local.get $n)))
          (local.set $ncols (select (i32.const 2) (i32.const 1) (i32.ge_u (i32.sub (local.get $n) (local.get $j)) (i32.const 2))))
          (local.set $b0 (i32.add (local.get $bt) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $ldbt)) (local.get $pc)) (i32.const 2))))
          (call $kernel_cols (local.get $pack) (local.get $mc) (local.get $kc) (local.get $b0)
            (select (i32.add (local.get $b0) (i32.shl (local.get $ldbt) (i32.const 2))) (local.get $b0)
                    (i32.eq (local.get $ncols) (i32.const 2)))
            (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $ic) (local.get $ldc)) (local.get $j)) (i32.const 2)))
            (local.get $ldc) (local.get $alpha) (local.get $ncols))
          (local.set $j (i32.add (local.get $j) (i32.const 2)))
          (br $jloop)))
        (local.set $ic (i32.add (local.get $ic) (local.get $MC)))
        (br $iloop)))
      (local.set $pc (i32.add (local.get $pc) (local.get $KC)))
      (br $ploop))))

  ;; The mc×kc block of op(A) at (ic, pc) as mc contiguous rows of kc floats.
  (func $pack_a (param $a i32) (param $lda i32) (param $transA i32) (param $ic i32) (param $pc i32) (param $mc i32)
                (param $kc i32) (param $dst i32)
    (local $i i32)
    (if (local.get $transA)
      (then
        ;; A is stored k×m: op(A)[i, p] = a[p·lda + i]
        (call $transpose (i32.add (local.get $a) (i32.shl (i32.add (i32.mul (local.get $pc) (local.get $lda)) (local.get $ic)) (i32.const 2)))
          (local.get $lda) (local.get $kc) (local.get $mc) (local.get $dst) (local.get $kc)))
      (else
        (block $done (loop $rows
          (br_if $done (i32.ge_u (local.get $i) (local.get $mc)))
          (memory.copy
            (i32.add (local.get $dst) (i32.shl (i32.mul (local.get $i) (local.get $kc)) (i32.const 2)))
            (i32.add (local.get $a) (i32.shl (i32.add (i32.mul (i32.add (local.get $ic) (local.get $i)) (local.get $lda)) (local.get $pc)) (i32.const 2)))
            (i32.shl (local.get $kc) (i32.const 2)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $rows))))))
