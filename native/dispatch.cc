// The module's entry point. It holds every kernel variant this binary was built with (isa.h) and exports the fastest one
// the CPU supports, with its name as `isa`, the hash of its sources as `sourceHash` and `origin` (prebuilt or source); `variant(name)` gives another supported one (tests compare them all), and
// CHARLM_NATIVE_ISA=<name> makes a slower one the default (to measure it, or to run one under valgrind, which lacks
// AVX-512). This file is compiled for the baseline instruction set only, so that no instruction it guards against can
// appear in it: a binary moved to an older CPU still loads and picks the variant that CPU runs.
#include <node_api.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace charlm {
#if defined(__x86_64__)
namespace avx512 { napi_value defineKernels(napi_env env, napi_value exports); }
namespace avx2 { napi_value defineKernels(napi_env env, napi_value exports); }
#endif
namespace portable { napi_value defineKernels(napi_env env, napi_value exports); }

namespace {

struct Variant {
  const char* name;
  napi_value (*define)(napi_env, napi_value);
  bool (*supported)();
};

// Fastest first. __builtin_cpu_supports reads cpuid and checks that the OS saves the wider registers (XGETBV).
const Variant kVariants[] = {
#if defined(__x86_64__)
    {"avx512", avx512::defineKernels, [] { return __builtin_cpu_supports("x86-64-v4") != 0; }},
    {"avx2", avx2::defineKernels, [] { return __builtin_cpu_supports("x86-64-v3") != 0; }},
#endif
    {"portable", portable::defineKernels, [] { return true; }},
};

const Variant* find(const char* name) {
  for (const Variant& v : kVariants)
    if (std::strcmp(v.name, name) == 0) return &v;
  return nullptr;
}

// Defines the variant's kernels and its name on a new object, or throws (and returns null) when the CPU lacks it.
napi_value instantiate(napi_env env, const Variant* v, const char* asked) {
  if (v == nullptr || !v->supported()) {
    const char* why = v == nullptr ? "charlm_native has no kernel variant of that name" : "this CPU does not support it";
    napi_throw_error(env, nullptr, (std::string("charlm_native: kernel variant ") + asked + ": " + why).c_str());
    return nullptr;
  }
  napi_value out = nullptr, name = nullptr;
  napi_create_object(env, &out);
  v->define(env, out);
  napi_create_string_utf8(env, v->name, NAPI_AUTO_LENGTH, &name);
  napi_set_named_property(env, out, "isa", name);
  return out;
}

napi_value VariantByName(napi_env env, napi_callback_info info) {  // (name) → that variant's kernels
  size_t argc = 1;
  napi_value arg = nullptr;
  char name[32] = "";
  size_t length = 0;
  if (napi_get_cb_info(env, info, &argc, &arg, nullptr, nullptr) != napi_ok || argc < 1 ||
      napi_get_value_string_utf8(env, arg, name, sizeof(name), &length) != napi_ok) {
    napi_throw_type_error(env, nullptr, "variant() takes a variant name");
    return nullptr;
  }
  return instantiate(env, find(name), name);
}

napi_value Supported(napi_env env, napi_callback_info) {  // → names of the variants this CPU runs, fastest first
  napi_value out = nullptr;
  napi_create_array(env, &out);
  uint32_t i = 0;
  for (const Variant& v : kVariants) {
    if (!v.supported()) continue;
    napi_value name = nullptr;
    napi_create_string_utf8(env, v.name, NAPI_AUTO_LENGTH, &name);
    napi_set_element(env, out, i++, name);
  }
  return out;
}

#define CHARLM_STRING2(x) #x
#define CHARLM_STRING(x) CHARLM_STRING2(x)

napi_value String(napi_env env, const char* s) {
  napi_value out = nullptr;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &out);
  return out;
}

napi_value Init(napi_env env, napi_value) {
  __builtin_cpu_init();
  const char* forced = std::getenv("CHARLM_NATIVE_ISA");
  const Variant* chosen = nullptr;
  if (forced != nullptr && forced[0] != '\0') {
    chosen = find(forced);
  } else {
    for (const Variant& v : kVariants)
      if (v.supported()) {
        chosen = &v;
        break;
      }
  }
  napi_value out = instantiate(env, chosen, forced != nullptr ? forced : "");
  if (out == nullptr) return nullptr;
  const napi_property_descriptor props[] = {
      {"variant", nullptr, VariantByName, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"supportedVariants", nullptr, Supported, nullptr, nullptr, nullptr, napi_default, nullptr},
      // scripts/native-source-hash.mjs of the sources it was compiled from (after a leading "h"), and how it was built.
      {"sourceHash", nullptr, nullptr, nullptr, nullptr, String(env, CHARLM_STRING(CHARLM_SOURCE_HASH) + 1), napi_enumerable,
       nullptr},
      {"origin", nullptr, nullptr, nullptr, nullptr, String(env, CHARLM_STRING(CHARLM_ORIGIN)), napi_enumerable, nullptr},
  };
  napi_define_properties(env, out, sizeof(props) / sizeof(props[0]), props);
  return out;
}

}  // namespace
}  // namespace charlm

NAPI_MODULE(NODE_GYP_MODULE_NAME, charlm::Init)
