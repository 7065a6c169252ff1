/*
 * A minimal Node-API addon that needs what npm prebuilds (sharp, bcrypt, ...) need from the C runtime:
 * libresolv, libstdc++ and libgcc_s. Built by StandInImageIT with gcc alone, so it declares the few Node-API
 * functions it calls instead of including node_api.h, and no libc header either.
 */

typedef struct napi_env__ *napi_env;
typedef struct napi_value__ *napi_value;
typedef struct napi_callback_info__ *napi_callback_info;
typedef int napi_status;
typedef napi_value (*napi_callback)(napi_env env, napi_callback_info info);

#define NAPI_AUTO_LENGTH ((unsigned long) -1)

extern napi_status napi_create_string_utf8(napi_env env, const char *str, unsigned long length, napi_value *result);
extern napi_status napi_create_int32(napi_env env, int value, napi_value *result);
extern napi_status napi_create_function(napi_env env, const char *name, unsigned long length, napi_callback cb,
                                        void *data, napi_value *result);
extern napi_status napi_set_named_property(napi_env env, napi_value object, const char *name, napi_value value);

/* libstdc++ (its C ABI entry point, so no C++ compiler is needed) */
extern char *__cxa_demangle(const char *mangled, char *buffer, unsigned long *length, int *status);
/* libgcc_s */
typedef int (*unwind_trace_fn)(void *context, void *argument);
extern int _Unwind_Backtrace(unwind_trace_fn trace, void *argument);
/* libresolv: ns_initparse stayed there when glibc 2.34 moved most resolver functions into libc */
extern int ns_initparse(const unsigned char *message, int length, void *handle);
extern void free(void *pointer);

/* demangle() -> "glambdar::probe()" */
static napi_value demangle(napi_env env, napi_callback_info info) {
    int status = -1;
    char *name = __cxa_demangle("_ZN8glambdar5probeEv", 0, 0, &status);
    napi_value result;
    napi_create_string_utf8(env, status == 0 && name ? name : "demangling failed", NAPI_AUTO_LENGTH, &result);
    free(name);
    return result;
}

static int count_frame(void *context, void *argument) {
    (void) context;
    ++*(int *) argument;
    return 0;
}

/* frames() -> how many stack frames the unwinder walked (at least 1) */
static napi_value frames(napi_env env, napi_callback_info info) {
    int count = 0;
    _Unwind_Backtrace(count_frame, &count);
    napi_value result;
    napi_create_int32(env, count, &result);
    return result;
}

/* parseDnsHeader() -> 0: a DNS message that is only a header (12 zero bytes) parses */
static napi_value parse_dns_header(napi_env env, napi_callback_info info) {
    static const unsigned char header[12];
    long handle[64]; /* ns_msg, whose size we need not know exactly */
    napi_value result;
    napi_create_int32(env, ns_initparse(header, sizeof header, handle), &result);
    return result;
}

static void export_function(napi_env env, napi_value exports, const char *name, napi_callback cb) {
    napi_value fn;
    napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, 0, &fn);
    napi_set_named_property(env, exports, name, fn);
}

napi_value napi_register_module_v1(napi_env env, napi_value exports) {
    export_function(env, exports, "demangle", demangle);
    export_function(env, exports, "frames", frames);
    export_function(env, exports, "parseDnsHeader", parse_dns_header);
    return exports;
}
