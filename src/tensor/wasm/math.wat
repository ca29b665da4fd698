;; Vector math shared by the other fragments: exp, sigmoid, tanh on four float32 lanes, and 4-or-1-lane loads/stores.
;; A fragment of the kernels module (scripts/build-wasm.mjs joins the fragments); not a module by itself.

  ;; ---------------------------------------------------------------------------------------------------------------
  ;; exp, sigmoid, tanh on four lanes. WebAssembly has no exp: Cephes' expf (range reduction x = n·ln2 + r, a degree-6
  ;; polynomial for e^r, then 2^n built in the exponent bits), about 1e-7 relative. NaN stays NaN (min/max propagate it).
  ;; ---------------------------------------------------------------------------------------------------------------
  (func $exp4 (param $x v128) (result v128)
    (local $n v128) (local $r v128) (local $y v128)
    ;; below -87.3 e^x is no longer a normal float; above 88.3 it overflows: clamp (sigmoid/tanh/softmax never care)
    (local.set $x (f32x4.min (f32x4.max (local.get $x) (v128.const f32x4 -87.3 -87.3 -87.3 -87.3))
                             (v128.const f32x4 88.3 88.3 88.3 88.3)))
    (local.set $n (f32x4.nearest (f32x4.mul (local.get $x) (v128.const f32x4 1.44269504 1.44269504 1.44269504 1.44269504))))
    ;; r = x - n·ln2 in two parts so the product n·ln2_hi is exact
    (local.set $r (f32x4.sub (local.get $x) (f32x4.mul (local.get $n) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
    (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $n) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
    (local.set $y (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
    ;; e^r ≈ 1 + r + r²·y
    (local.set $y (f32x4.add (f32x4.add (f32x4.mul (local.get $y) (f32x4.mul (local.get $r) (local.get $r))) (local.get $r))
                             (v128.const f32x4 1 1 1 1)))
    ;; · 2^n: n + 127 shifted into the exponent field
    (f32x4.mul (local.get $y)
      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $n)) (v128.const i32x4 127 127 127 127)) (i32.const 23))))

  ;; σ(x) = 1 / (1 + e^-x)
  (func $sigmoid4 (param $x v128) (result v128)
    (f32x4.div (v128.const f32x4 1 1 1 1)
               (f32x4.add (v128.const f32x4 1 1 1 1) (call $exp4 (f32x4.neg (local.get $x))))))

  ;; tanh: an odd polynomial below |x| = 0.625 (where 1 - 2/(e^2x + 1) would cancel), that formula above (Cephes' tanhf)
  (func $tanh4 (param $x v128) (result v128)
    (local $ax v128) (local $s v128) (local $small v128) (local $big v128)
    (local.set $ax (f32x4.abs (local.get $x)))
    (local.set $s (f32x4.mul (local.get $x) (local.get $x)))
    (local.set $small (v128.const f32x4 -5.70498872745e-3 -5.70498872745e-3 -5.70498872745e-3 -5.70498872745e-3))
    (local.set $small (f32x4.add (f32x4.mul (local.get $small) (local.get $s)) (v128.const f32x4 2.06390887954e-2 2.06390887954e-2 2.06390887954e-2 2.06390887954e-2)))
    (local.set $small (f32x4.add (f32x4.mul (local.get $small) (local.get $s)) (v128.const f32x4 -5.37397155531e-2 -5.37397155531e-2 -5.37397155531e-2 -5.37397155531e-2)))
    (local.set $small (f32x4.add (f32x4.mul (local.get $small) (local.get $s)) (v128.const f32x4 1.33314422036e-1 1.33314422036e-1 1.33314422036e-1 1.33314422036e-1)))
    (local.set $small (f32x4.add (f32x4.mul (local.get $small) (local.get $s)) (v128.const f32x4 -3.33332819422e-1 -3.33332819422e-1 -3.33332819422e-1 -3.33332819422e-1)))
    (local.set $small (f32x4.add (f32x4.mul (f32x4.mul (local.get $small) (local.get $s)) (local.get $x)) (local.get $x)))
    ;; 1 - 2/(e^2|x| + 1), then the sign of x
    (local.set $big (f32x4.sub (v128.const f32x4 1 1 1 1)
      (f32x4.div (v128.const f32x4 2 2 2 2)
                 (f32x4.add (call $exp4 (f32x4.add (local.get $ax) (local.get $ax))) (v128.const f32x4 1 1 1 1)))))
    (local.set $big (v128.or (local.get $big) (v128.and (local.get $x) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))))
    (v128.bitselect (local.get $small) (local.get $big)
      (f32x4.lt (local.get $ax) (v128.const f32x4 0.625 0.625 0.625 0.625))))

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

