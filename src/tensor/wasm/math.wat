;; Vector math shared by the other fragments: exp, sigmoid, tanh on four float32 lanes, and 4-or-1-lane loads/stores.
;; A fragment of the kernels module (scripts/build-wasm.mjs joins the fragments); not a module by itself.

  ;; ---------------------------------------------------------------------------------------------------------------
  ;; exp, sigmoid, tanh on four lanes, as native/approx.h defines them (the native kernel computes the same steps with the
  ;; same constants). A splat form names one of approx.h's constants, or a number: scripts/build-wasm.mjs turns it into a
  ;; v128 of four copies. NaN stays NaN (min/max propagate it).
  ;; ---------------------------------------------------------------------------------------------------------------
  (func $exp4 (param $x v128) (result v128)
    (local $n v128) (local $r v128) (local $y v128)
    (local.set $x (f32x4.min (f32x4.max (local.get $x) (splat EXP_LO)) (splat EXP_HI)))
    (local.set $n (f32x4.nearest (f32x4.mul (local.get $x) (splat LOG2E))))
    (local.set $r (f32x4.sub (local.get $x) (f32x4.mul (local.get $n) (splat LN2_HI))))
    (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $n) (splat LN2_LO))))
    (local.set $y (splat EXP_P0))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (splat EXP_P1)))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (splat EXP_P2)))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (splat EXP_P3)))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (splat EXP_P4)))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (splat EXP_P5)))
    ;; e^r ≈ 1 + r + r²·y
    (local.set $y (f32x4.add (f32x4.add (f32x4.mul (local.get $y) (f32x4.mul (local.get $r) (local.get $r))) (local.get $r))
                             (splat 1)))
    ;; · 2^n: n + 127 shifted into the exponent field
    (f32x4.mul (local.get $y)
      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $n)) (v128.const i32x4 127 127 127 127)) (i32.const 23))))

  ;; σ(x): e = exp(−|x|), s = 1/(1 + e); s for x ≥ 0, e·s below
  (func $sigmoid4 (param $x v128) (result v128)
    (local $e v128) (local $s v128)
    (local.set $e (call $exp4 (f32x4.neg (f32x4.abs (local.get $x)))))
    (local.set $s (f32x4.div (splat 1) (f32x4.add (splat 1) (local.get $e))))
    (v128.bitselect (local.get $s) (f32x4.mul (local.get $e) (local.get $s))
      (f32x4.ge (local.get $x) (splat 0))))

  ;; tanh: x + x³·Q(x²) below |x| = TANH_SMALL; (1 − e)/(1 + e) with e = exp(−2|x|) and the sign of x above
  (func $tanh4 (param $x v128) (result v128)
    (local $ax v128) (local $z v128) (local $small v128) (local $e v128) (local $big v128)
    (local.set $ax (f32x4.abs (local.get $x)))
    (local.set $z (f32x4.mul (local.get $x) (local.get $x)))
    (local.set $small (splat TANH_Q0))
    (local.set $small (f32x4.add (f32x4.mul (local.get $small) (local.get $z)) (splat TANH_Q1)))
    (local.set $small (f32x4.add (f32x4.mul (local.get $small) (local.get $z)) (splat TANH_Q2)))
    (local.set $small (f32x4.add (f32x4.mul (local.get $small) (local.get $z)) (splat TANH_Q3)))
    (local.set $small (f32x4.add (f32x4.mul (local.get $small) (local.get $z)) (splat TANH_Q4)))
    (local.set $small (f32x4.add (f32x4.mul (f32x4.mul (local.get $small) (local.get $z)) (local.get $x)) (local.get $x)))
    (local.set $e (call $exp4 (f32x4.mul (splat -2) (local.get $ax))))
    (local.set $big (f32x4.div (f32x4.sub (splat 1) (local.get $e)) (f32x4.add (splat 1) (local.get $e))))
    (local.set $big (v128.bitselect (f32x4.neg (local.get $big)) (local.get $big) (f32x4.lt (local.get $x) (splat 0))))
    (v128.bitselect (local.get $small) (local.get $big) (f32x4.lt (local.get $ax) (splat TANH_SMALL))))

  ;; Loads and stores of `lanes` (4, or 1 for the tail) floats, so each element-wise loop body is written once.
  (func $ld (param $p i32) (param $lanes i32) (result v128)
    (if (result v128) (i32.eq (local.get $lanes) (i32.const 4))
      (then (v128.load (local.get $p)))
      (else (v128.load32_zero (local.get $p)))))
  (func $st (param $p i32) (param $v v128) (param $lanes i32)
    (if (i32.eq (local.get $lanes) (i32.const 4))
      (then (v128.store (local.get $p) (local.get $v)))
      (else (v128.store32_lane 0 (local.get $p) (local.get $v)))))
  ;; 4 while at least 16 bytes are left before `end`, else 1
  (func $lanes (param $p i32) (param $end i32) (result i32)
    (select (i32.const 4) (i32.const 1) (i32.ge_u (i32.sub (local.get $end) (local.get $p)) (i32.const 16))))

