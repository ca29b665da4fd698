// Argument unpacking for the N-API entry points (addon.cc): numbers, booleans, Float32Array and ids views, each checked
// (type, integer-ness, bounds, id range) before any kernel touches memory. Throws the JavaScript error itself.
#pragma once
#include <node_api.h>

#include <cmath>
#include <cstdint>

namespace charlm {

// One call's arguments. The accessors record the first problem (and throw it) so a function can read all its arguments
// and check ok() once.
class Call {
 public:
  Call(napi_env env, napi_callback_info info) : env_(env) {
    if (napi_get_cb_info(env, info, &argc_, argv_, nullptr, nullptr) != napi_ok) fail("bad call");
  }
  bool ok() const { return !failed_; }

  double num(size_t i) {
    double v = 0;
    if (!failed_ && (i >= argc_ || napi_get_value_double(env_, argv_[i], &v) != napi_ok)) typeError("expected a number");
    return v;
  }
  // A non-negative integer (sizes, offsets, leading dimensions).
  long count(size_t i) {
    const double v = num(i);
    // Sizes reach the kernels as int: anything past 2³¹ − 1 is refused rather than wrapped.
    if (!failed_ && !(v >= 0 && v <= 2147483647.0 && v == std::floor(v))) rangeError("expected a non-negative integer below 2^31");
    return failed_ ? 0 : long(v);
  }
  // A row-major matrix's leading dimension: at least its row width, or rows would overlap.
  void leadingDimension(long ld, long width) {
    if (!failed_ && ld < width) rangeError("leading dimension smaller than the matrix's row width");
  }
  bool flag(size_t i) {
    bool v = false;
    if (!failed_ && (i >= argc_ || napi_get_value_bool(env_, argv_[i], &v) != napi_ok)) typeError("expected a boolean");
    return v;
  }
  bool isNull(size_t i) {
    napi_valuetype t = napi_undefined;
    if (i < argc_) napi_typeof(env_, argv_[i], &t);
    return t == napi_null || t == napi_undefined;
  }
  // Float32Array argument i, offset off, of which `extent` elements from off on are accessed.
  float* floats(size_t i, long off, long extent) {
    napi_typedarray_type type;
    size_t length = 0;
    void* data = nullptr;
    if (failed_) return nullptr;
    if (i >= argc_ || napi_get_typedarray_info(env_, argv_[i], &type, &length, &data, nullptr, nullptr) != napi_ok ||
        type != napi_float32_array) {
      typeError("native kernels take Float32Array buffers");
      return nullptr;
    }
    if (extent > 0 && off + extent > long(length)) {
      rangeError("buffer access out of bounds");
      return nullptr;
    }
    return static_cast<float*>(data) + off;
  }
  // Float32Array argument i from allocPacked: `extent` elements from its start, which lies on a 64-byte boundary.
  float* alignedFloats(size_t i, long extent) {
    float* p = floats(i, 0, extent);
    if (p != nullptr && reinterpret_cast<uintptr_t>(p) % 64 != 0) rangeError("packed buffer not from allocPacked (unaligned)");
    return failed_ ? nullptr : p;
  }
  // Ids argument i (Uint16Array, Uint32Array or Int32Array): `count` ids from off, each checked to lie in [0, limit).
  struct Ids {
    napi_typedarray_type type;
    const void* data;
  };
  Ids ids(size_t i, long off, long n, long limit) {
    Ids out{napi_uint16_array, nullptr};
    size_t length = 0;
    void* data = nullptr;
    if (failed_) return out;
    if (i >= argc_ || napi_get_typedarray_info(env_, argv_[i], &out.type, &length, &data, nullptr, nullptr) != napi_ok ||
        (out.type != napi_uint16_array && out.type != napi_uint32_array && out.type != napi_int32_array)) {
      typeError("ids must be a Uint16Array, Uint32Array or Int32Array");
      return out;
    }
    if (n > 0 && off + n > long(length)) {
      rangeError("ids access out of bounds");
      return out;
    }
    for (long r = 0; r < n; ++r) {
      long id = 0;
      switch (out.type) {
        case napi_uint16_array: id = static_cast<const uint16_t*>(data)[off + r]; break;
        case napi_uint32_array: id = static_cast<const uint32_t*>(data)[off + r]; break;
        default: id = static_cast<const int32_t*>(data)[off + r]; break;
      }
      if (id < 0 || id >= limit) {
        rangeError("id out of range for the vocabulary");
        return out;
      }
    }
    switch (out.type) {
      case napi_uint16_array: out.data = static_cast<const uint16_t*>(data) + off; break;
      case napi_uint32_array: out.data = static_cast<const uint32_t*>(data) + off; break;
      default: out.data = static_cast<const int32_t*>(data) + off; break;
    }
    return out;
  }
  napi_value number(double v) {
    napi_value out = nullptr;
    napi_create_double(env_, v, &out);
    return out;
  }

 private:
  void fail(const char* msg) {
    if (!failed_) napi_throw_error(env_, nullptr, msg);
    failed_ = true;
  }
  void typeError(const char* msg) {
    if (!failed_) napi_throw_type_error(env_, nullptr, msg);
    failed_ = true;
  }
  void rangeError(const char* msg) {
    if (!failed_) napi_throw_range_error(env_, nullptr, msg);
    failed_ = true;
  }
  napi_env env_;
  size_t argc_ = 16;
  napi_value argv_[16];
  bool failed_ = false;
};

// Elements a rows × cols matrix with leading dimension ld spans.
inline long extent(long rows, long cols, long ld) { return rows == 0 || cols == 0 ? 0 : (rows - 1) * ld + cols; }

// Calls f with the ids pointer cast to its element type.
template <typename F>
auto withIds(const Call::Ids& ids, F f) {
  switch (ids.type) {
    case napi_uint16_array: return f(static_cast<const uint16_t*>(ids.data));
    case napi_uint32_array: return f(static_cast<const uint32_t*>(ids.data));
    default: return f(static_cast<const int32_t*>(ids.data));
  }
}

}  // namespace charlm
