/* codegen.c -- kernels from expression graphs, through the LLVM C API
 * (see codegen.h). Version-dependent calls live in llvm_compat.c.
 *
 * exp and tanh are written here as straight-line IR (range reduction and a
 * polynomial) rather than called from the C library, so a loop full of them
 * still vectorises; log, sin, cos and pow are rare in neuron equations and
 * call the C library.
 */
#include "codegen.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <llvm-c/Analysis.h>

#include "kernel_cache.h"
#include "llvm_compat.h"

struct codegen {
    llvmc_host host;
    llvmc_jit *jit;
};

typedef struct emitter {
    LLVMContextRef ctx;
    LLVMModuleRef m;
    LLVMBuilderRef b;
    LLVMTypeRef real, i64, ptr, bits;   /* bits: the integer as wide as REAL */
    int is_double;
} emitter;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ------------------------------------------------------------ helpers */

static LLVMValueRef real(emitter *E, double v)
{
    return LLVMConstReal(E->real, v);
}

static LLVMValueRef call_intrinsic(emitter *E, const char *name, LLVMValueRef *args, unsigned n)
{
    LLVMTypeRef fn_type;
    LLVMValueRef fn = llvmc_intrinsic(E->m, name, E->real, &fn_type);
    return LLVMBuildCall2(E->b, fn_type, fn, args, n, "");
}

static LLVMValueRef call_unary_intrinsic(emitter *E, const char *name, LLVMValueRef x)
{
    return call_intrinsic(E, name, &x, 1);
}

/* A C library function of REAL arguments: log/logf, pow/powf, ... */
static LLVMValueRef call_libm(emitter *E, const char *name, LLVMValueRef *args, unsigned n)
{
    char full[16];
    snprintf(full, sizeof full, "%s%s", name, E->is_double ? "" : "f");
    LLVMTypeRef params[2] = {E->real, E->real};
    LLVMTypeRef type = LLVMFunctionType(E->real, params, n, 0);
    LLVMValueRef fn = LLVMGetNamedFunction(E->m, full);
    if (!fn)
        fn = LLVMAddFunction(E->m, full, type);
    return LLVMBuildCall2(E->b, type, fn, args, n, "");
}

static LLVMValueRef as_real(emitter *E, LLVMValueRef flag)
{
    return LLVMBuildUIToFP(E->b, flag, E->real, "");
}

static LLVMValueRef fcmp(emitter *E, LLVMRealPredicate p, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildFCmp(E->b, p, a, b, "");
}

static LLVMValueRef emit_select(emitter *E, LLVMValueRef c, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildSelect(E->b, c, a, b, "");
}

/* Horner's rule for sum c[i] x^i. */
static LLVMValueRef polynomial(emitter *E, LLVMValueRef x, const double *c, int n)
{
    LLVMValueRef acc = real(E, c[n - 1]);
    for (int i = n - 2; i >= 0; i--)
        acc = LLVMBuildFAdd(E->b, LLVMBuildFMul(E->b, acc, x, ""), real(E, c[i]), "");
    return acc;
}

/* e^x: x = n ln2 + r with |r| <= ln2/2 (Cody & Waite, ln2 split in two so
 * n ln2 is exact), e^r by its Taylor polynomial (degree 7 for float, 13 for
 * double: the first omitted term is below half an ulp), times 2^n built in
 * the exponent bits. Out of range: 0 below, +inf above; NaN stays NaN. */
static LLVMValueRef emit_exp(emitter *E, LLVMValueRef x)
{
    double lo = E->is_double ? -708.3 : -87.3, hi = E->is_double ? 709.7 : 88.7;
    double ln2_hi = E->is_double ? 0.693147180369123816490 : 0.693359375;
    double ln2_lo = E->is_double ? 1.90821492927058770002e-10 : -2.12194440e-4;
    LLVMValueRef xc = call_intrinsic(E, "llvm.minnum", (LLVMValueRef[]){
        call_intrinsic(E, "llvm.maxnum", (LLVMValueRef[]){x, real(E, lo)}, 2), real(E, hi)}, 2);
    LLVMValueRef n = call_unary_intrinsic(E, "llvm.floor",
        LLVMBuildFAdd(E->b, LLVMBuildFMul(E->b, xc, real(E, 1.4426950408889634), ""), real(E, 0.5), ""));
    LLVMValueRef r = LLVMBuildFSub(E->b, xc, LLVMBuildFMul(E->b, n, real(E, ln2_hi), ""), "");
    r = LLVMBuildFSub(E->b, r, LLVMBuildFMul(E->b, n, real(E, ln2_lo), ""), "");
    double c[14];
    int degree = E->is_double ? 13 : 7;
    c[0] = 1;
    for (int i = 1; i <= degree; i++)
        c[i] = c[i - 1] / i;
    LLVMValueRef p = polynomial(E, r, c, degree + 1);
    int mantissa = E->is_double ? 52 : 23, bias = E->is_double ? 1023 : 127;
    LLVMValueRef k = LLVMBuildFPToSI(E->b, n, E->bits, "");
    k = LLVMBuildAdd(E->b, k, LLVMConstInt(E->bits, (unsigned long long)bias, 0), "");
    k = LLVMBuildShl(E->b, k, LLVMConstInt(E->bits, (unsigned long long)mantissa, 0), "");
    LLVMValueRef result = LLVMBuildFMul(E->b, p, LLVMBuildBitCast(E->b, k, E->real, ""), "");
    result = emit_select(E, fcmp(E, LLVMRealOLT, x, real(E, lo)), real(E, 0), result);
    result = emit_select(E, fcmp(E, LLVMRealOGT, x, real(E, hi)), real(E, INFINITY), result);
    return emit_select(E, fcmp(E, LLVMRealUNO, x, x), x, result);
}

/* tanh x = sign(x) (1 - e^-2|x|) / (1 + e^-2|x|); below |x| = 1/8 that
 * difference cancels, so there the Taylor series is used instead: 8 terms
 * in double, 4 in float (the first omitted term is below 1e-17 and 1.3e-9
 * relative, under half an ulp of each). */
static LLVMValueRef emit_tanh(emitter *E, LLVMValueRef x)
{
    LLVMValueRef a = call_unary_intrinsic(E, "llvm.fabs", x);
    LLVMValueRef e = emit_exp(E, LLVMBuildFMul(E->b, a, real(E, -2), ""));
    LLVMValueRef big = LLVMBuildFDiv(E->b, LLVMBuildFSub(E->b, real(E, 1), e, ""),
                                     LLVMBuildFAdd(E->b, real(E, 1), e, ""), "");
    static const double taylor[8] = {1, -1.0 / 3, 2.0 / 15, -17.0 / 315, 62.0 / 2835,
                                     -1382.0 / 155925, 21844.0 / 6081075, -929569.0 / 638512875};
    LLVMValueRef small = LLVMBuildFMul(E->b, a, polynomial(E, LLVMBuildFMul(E->b, a, a, ""), taylor,
                                                           E->is_double ? 8 : 4), "");
    LLVMValueRef t = emit_select(E, fcmp(E, LLVMRealOLT, a, real(E, 0.125)), small, big);
    return call_intrinsic(E, "llvm.copysign", (LLVMValueRef[]){t, x}, 2);
}

static LLVMValueRef truth(emitter *E, LLVMValueRef x)
{
    return fcmp(E, LLVMRealUNE, x, real(E, 0));
}

static LLVMValueRef emit_unary(emitter *E, ir_op op, LLVMValueRef a)
{
    switch (op) {
    case IR_NEG: return LLVMBuildFNeg(E->b, a, "");
    case IR_EXP: return emit_exp(E, a);
    case IR_TANH: return emit_tanh(E, a);
    case IR_SIGMOID:
        return LLVMBuildFDiv(E->b, real(E, 1),
                             LLVMBuildFAdd(E->b, real(E, 1), emit_exp(E, LLVMBuildFNeg(E->b, a, "")), ""), "");
    case IR_LOG: return call_libm(E, "log", &a, 1);
    case IR_SIN: return call_libm(E, "sin", &a, 1);
    case IR_COS: return call_libm(E, "cos", &a, 1);
    case IR_SQRT: return call_unary_intrinsic(E, "llvm.sqrt", a);
    case IR_ABS: return call_unary_intrinsic(E, "llvm.fabs", a);
    case IR_FLOOR: return call_unary_intrinsic(E, "llvm.floor", a);
    case IR_ROUND: return call_unary_intrinsic(E, "llvm.round", a);
    case IR_RELU: return emit_select(E, fcmp(E, LLVMRealOGT, a, real(E, 0)), a, real(E, 0));
    case IR_HEAVISIDE: return as_real(E, fcmp(E, LLVMRealOGT, a, real(E, 0)));
    case IR_SIGN:
        return LLVMBuildFSub(E->b, as_real(E, fcmp(E, LLVMRealOGT, a, real(E, 0))),
                             as_real(E, fcmp(E, LLVMRealOLT, a, real(E, 0))), "");
    case IR_STOPGRAD: return a;
    case IR_NOT: return as_real(E, fcmp(E, LLVMRealOEQ, a, real(E, 0)));
    default: return NULL;
    }
}

/* Each operator as ir.c's apply() defines it (max: a > b ? a : b, ...). */
static LLVMValueRef emit_binary(emitter *E, ir_op op, LLVMValueRef a, LLVMValueRef b)
{
    switch (op) {
    case IR_ADD: return LLVMBuildFAdd(E->b, a, b, "");
    case IR_SUB: return LLVMBuildFSub(E->b, a, b, "");
    case IR_MUL: return LLVMBuildFMul(E->b, a, b, "");
    case IR_DIV: return LLVMBuildFDiv(E->b, a, b, "");
    case IR_POW: return call_libm(E, "pow", (LLVMValueRef[]){a, b}, 2);
    case IR_MAX: return emit_select(E, fcmp(E, LLVMRealOGT, a, b), a, b);
    case IR_MIN: return emit_select(E, fcmp(E, LLVMRealOLT, a, b), a, b);
    case IR_LT: return as_real(E, fcmp(E, LLVMRealOLT, a, b));
    case IR_LE: return as_real(E, fcmp(E, LLVMRealOLE, a, b));
    case IR_GT: return as_real(E, fcmp(E, LLVMRealOGT, a, b));
    case IR_GE: return as_real(E, fcmp(E, LLVMRealOGE, a, b));
    case IR_EQ: return as_real(E, fcmp(E, LLVMRealOEQ, a, b));
    case IR_NE: return as_real(E, fcmp(E, LLVMRealUNE, a, b));
    case IR_AND: return as_real(E, LLVMBuildAnd(E->b, truth(E, a), truth(E, b), ""));
    case IR_OR: return as_real(E, LLVMBuildOr(E->b, truth(E, a), truth(E, b), ""));
    default: return NULL;
    }
}

/* ------------------------------------------------------------ kernels */

/* Marks the nodes the outputs need; operands precede their nodes. */
static unsigned char *needed_nodes(const kernel_spec *k)
{
    unsigned char *need = calloc(k->g->count ? k->g->count : 1, 1);
    if (!need)
        return NULL;
    for (uint32_t j = 0; j < k->n_outs; j++)
        if (k->outs[j] != KERNEL_NO_STORE)
            need[k->outs[j]] = 1;
    for (uint32_t i = k->g->count; i-- > 0;) {
        if (!need[i])
            continue;
        const ir_node *n = &k->g->nodes[i];
        int arity = n->op == IR_CONST || n->op == IR_VAR ? 0 : ir_arity((ir_op)n->op);
        if (arity >= 1) need[n->a] = 1;
        if (n->op == IR_SPIKE)
            continue;   /* its margin and surrogate serve derivatives only */
        if (arity >= 2) need[n->b] = 1;
        if (arity >= 3) need[n->c] = 1;
    }
    return need;
}

/* The loop body: loads, the graph in node order, stores. */
static int emit_body(emitter *E, const kernel_spec *k, LLVMValueRef *ptrs, LLVMValueRef i)
{
    unsigned char *need = needed_nodes(k);
    LLVMValueRef *val = calloc(k->g->count ? k->g->count : 1, sizeof *val);
    if (!need || !val) {
        free(need);
        free(val);
        return -1;
    }
    for (uint32_t n = 0; n < k->g->count; n++) {
        if (!need[n])
            continue;
        const ir_node *node = &k->g->nodes[n];
        ir_op op = (ir_op)node->op;
        if (op == IR_CONST) {
            val[n] = real(E, node->value);
        } else if (op == IR_VAR) {
            LLVMValueRef index = k->broadcast && k->broadcast[node->var] ? LLVMConstInt(E->i64, 0, 0) : i;
            LLVMValueRef at = LLVMBuildGEP2(E->b, E->real, ptrs[node->var], &index, 1, "");
            val[n] = LLVMBuildLoad2(E->b, E->real, at, "");
        } else if (op == IR_SPIKE) {   /* the surrogate is for derivatives only */
            val[n] = as_real(E, truth(E, val[node->a]));
        } else if (op == IR_SELECT) {
            val[n] = emit_select(E, truth(E, val[node->a]), val[node->b], val[node->c]);
        } else if (ir_arity(op) == 1) {
            val[n] = emit_unary(E, op, val[node->a]);
        } else {
            val[n] = emit_binary(E, op, val[node->a], val[node->b]);
        }
    }
    for (uint32_t j = 0; j < k->n_outs; j++) {
        if (k->outs[j] == KERNEL_NO_STORE)
            continue;
        LLVMValueRef at = LLVMBuildGEP2(E->b, E->real, ptrs[k->n_vars + j], &i, 1, "");
        LLVMBuildStore(E->b, val[k->outs[j]], at);
    }
    free(need);
    free(val);
    return 0;
}

/* The loop, in a function whose array arguments are 'noalias' (they never
 * overlap), so the vectoriser needs no run-time overlap checks. */
static LLVMValueRef emit_inner(emitter *E, const kernel_spec *k)
{
    unsigned nargs = 1 + k->n_vars + k->n_outs;
    LLVMTypeRef *params = malloc(nargs * sizeof *params);
    if (!params)
        return NULL;
    params[0] = E->i64;
    for (unsigned a = 1; a < nargs; a++)
        params[a] = E->ptr;
    char name[160];
    snprintf(name, sizeof name, "%s.loop", k->name);
    LLVMValueRef fn = LLVMAddFunction(E->m, name, LLVMFunctionType(LLVMVoidTypeInContext(E->ctx), params, nargs, 0));
    free(params);
    LLVMSetLinkage(fn, LLVMInternalLinkage);
    unsigned noalias = LLVMGetEnumAttributeKindForName("noalias", 7);
    unsigned inl = LLVMGetEnumAttributeKindForName("alwaysinline", 12);
    for (unsigned a = 1; a < nargs; a++)
        LLVMAddAttributeAtIndex(fn, a + 1, LLVMCreateEnumAttribute(E->ctx, noalias, 0));
    LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(E->ctx, inl, 0));

    LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(E->ctx, fn, "entry");
    LLVMBasicBlockRef loop = LLVMAppendBasicBlockInContext(E->ctx, fn, "loop");
    LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(E->ctx, fn, "done");
    LLVMPositionBuilderAtEnd(E->b, entry);
    LLVMValueRef count = LLVMGetParam(fn, 0);
    LLVMBuildCondBr(E->b, LLVMBuildICmp(E->b, LLVMIntSGT, count, LLVMConstInt(E->i64, 0, 0), ""), loop, done);

    LLVMPositionBuilderAtEnd(E->b, loop);
    LLVMValueRef i = LLVMBuildPhi(E->b, E->i64, "i");
    LLVMValueRef ptrs[1024];
    for (unsigned a = 1; a < nargs && a <= 1024; a++)
        ptrs[a - 1] = LLVMGetParam(fn, a);
    if (nargs > 1025 || emit_body(E, k, ptrs, i) != 0)
        return NULL;
    LLVMValueRef next = LLVMBuildNUWAdd(E->b, i, LLVMConstInt(E->i64, 1, 0), "");
    LLVMBuildCondBr(E->b, LLVMBuildICmp(E->b, LLVMIntSLT, next, count, ""), loop, done);
    LLVMValueRef zero = LLVMConstInt(E->i64, 0, 0);
    LLVMAddIncoming(i, (LLVMValueRef[]){zero, next}, (LLVMBasicBlockRef[]){entry, loop}, 2);

    LLVMPositionBuilderAtEnd(E->b, done);
    LLVMBuildRetVoid(E->b);
    llvmc_allow_contraction(fn);   /* polynomials in FMAs: half the instructions */
    return fn;
}

/* The exported entry point: kernel(count, args) unpacks args into the loop's
 * arguments. */
static int emit_kernel(emitter *E, const kernel_spec *k, const llvmc_host *h)
{
    LLVMValueRef inner = emit_inner(E, k);
    if (!inner)
        return -1;
    LLVMTypeRef params[2] = {E->i64, E->ptr};
    LLVMValueRef fn = LLVMAddFunction(E->m, k->name, LLVMFunctionType(LLVMVoidTypeInContext(E->ctx), params, 2, 0));
    LLVMValueRef both[2] = {inner, fn};
    for (int f = 0; f < 2; f++) {
        LLVMAddAttributeAtIndex(both[f], LLVMAttributeFunctionIndex,
                                LLVMCreateStringAttribute(E->ctx, "target-cpu", 10, h->cpu, (unsigned)strlen(h->cpu)));
        LLVMAddAttributeAtIndex(both[f], LLVMAttributeFunctionIndex,
                                LLVMCreateStringAttribute(E->ctx, "target-features", 15, h->features,
                                                          (unsigned)strlen(h->features)));
        if (h->avx512)
            LLVMAddAttributeAtIndex(both[f], LLVMAttributeFunctionIndex,
                                    LLVMCreateStringAttribute(E->ctx, "prefer-vector-width", 19, "512", 3));
    }
    LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(E->ctx, fn, "entry");
    LLVMPositionBuilderAtEnd(E->b, entry);
    unsigned nargs = 1 + k->n_vars + k->n_outs;
    LLVMValueRef *args = malloc(nargs * sizeof *args);
    if (!args)
        return -1;
    args[0] = LLVMGetParam(fn, 0);
    for (unsigned a = 1; a < nargs; a++) {
        LLVMValueRef idx = LLVMConstInt(E->i64, a - 1, 0);
        LLVMValueRef slot = LLVMBuildGEP2(E->b, E->ptr, LLVMGetParam(fn, 1), &idx, 1, "");
        args[a] = LLVMBuildLoad2(E->b, E->ptr, slot, "");
    }
    LLVMBuildCall2(E->b, LLVMGlobalGetValueType(inner), inner, args, nargs, "");
    LLVMBuildRetVoid(E->b);
    free(args);
    return 0;
}

static void emitter_init(emitter *E, LLVMContextRef ctx, int is_double)
{
    E->ctx = ctx;
    E->m = LLVMModuleCreateWithNameInContext("rnnc_kernels", ctx);
    E->b = LLVMCreateBuilderInContext(ctx);
    E->is_double = is_double;
    E->real = is_double ? LLVMDoubleTypeInContext(ctx) : LLVMFloatTypeInContext(ctx);
    E->bits = is_double ? LLVMInt64TypeInContext(ctx) : LLVMInt32TypeInContext(ctx);
    E->i64 = LLVMInt64TypeInContext(ctx);
    E->ptr = LLVMPointerTypeInContext(ctx, 0);
}

/* The kernel cache's key of M (see kernel_cache.h): everything its object
 * code depends on, as text (malloc'd; NULL when out of memory). */
static char *cache_key(const llvmc_host *h, LLVMModuleRef m, size_t *len)
{
    unsigned major, minor, patch;
    LLVMGetVersion(&major, &minor, &patch);
    char *ir = LLVMPrintModuleToString(m);
    char *key = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&key, &size);
    if (out) {
        fprintf(out, "rnnc kernels\nrnnc %s\nLLVM %u.%u.%u\nhost %s %s %s\n%s\n%s", RNNC_VERSION, major, minor,
                patch, h->triple, h->cpu, h->features, llvmc_pipeline_text(), ir);
        if (fclose(out) != 0) {
            free(key);
            key = NULL;
        }
    }
    LLVMDisposeMessage(ir);
    *len = size;
    return key;
}

static void warn(codegen_timings *t, const char *fmt, const char *path, const char *why)
    __attribute__((format(printf, 2, 0)));

/* The first warning is kept. */
static void warn(codegen_timings *t, const char *fmt, const char *path, const char *why)
{
    if (!t->warning[0])
        snprintf(t->warning, sizeof t->warning, fmt, path, why);
}

/* The addresses of the kernels in C's JIT; 0, or -1 with the error in ERR. */
static int look_up(codegen *c, const kernel_spec *kernels, unsigned n, rt_kernel *fns, char *err, size_t err_size)
{
    for (unsigned k = 0; k < n; k++) {
        uint64_t addr = llvmc_jit_lookup(c->jit, kernels[k].name, err, err_size);
        if (!addr)
            return -1;
        fns[k] = (rt_kernel)(uintptr_t)addr;
    }
    return 0;
}

/* The kernels from the cache entry of KEY in DIR, if it has one that
 * links: 1, else 0 (with a warning in T when the entry is damaged or
 * unreadable). On 0
 * C's JIT is fresh, ready for the kernels compiled anew. */
static int from_cache(codegen *c, const char *dir, const char *key, size_t key_len, const kernel_spec *kernels,
                      unsigned n, rt_kernel *fns, codegen_timings *t)
{
    void *obj;
    size_t len;
    char why[600], path[4200];
    kcache_path(dir, key, key_len, path, sizeof path);
    int found = kcache_load(dir, key, key_len, &obj, &len, why, sizeof why);
    if (found < 0)
        warn(t, "the kernel cache's file %s cannot be used (%s); the kernels are compiled again", path, why);
    if (found <= 0)
        return 0;
    int linked = llvmc_jit_add_object(c->jit, obj, len, why, sizeof why) == 0 &&
                 look_up(c, kernels, n, fns, why, sizeof why) == 0;
    free(obj);
    if (linked)
        return 1;
    warn(t, "the kernel cache's file %s does not link (%s); the kernels are compiled again", path, why);
    llvmc_jit_free(c->jit);   /* it may hold part of the object */
    c->jit = llvmc_jit_new(&c->host, why, sizeof why);
    return 0;
}

/* Optimises M (timed in T), emits its object code, stores it under KEY
 * (when not NULL) and adds it to C's JIT. 0, or -1 with the error in ERR. */
static int compile_module(codegen *c, LLVMModuleRef m, FILE *emit_ir, const char *dir, const char *key,
                          size_t key_len, codegen_timings *t, char *err, size_t err_size)
{
    LLVMTargetMachineRef tm = llvmc_target_machine(&c->host, err, err_size);
    if (!tm)
        return -1;
    double start = now_ms();
    if (llvmc_optimize(m, tm, err, err_size) != 0) {
        LLVMDisposeTargetMachine(tm);
        return -1;
    }
    t->optimize_ms = now_ms() - start;
    if (emit_ir) {
        char *text = LLVMPrintModuleToString(m);
        fputs(text, emit_ir);
        LLVMDisposeMessage(text);
    }
    LLVMMemoryBufferRef obj;
    int rc = llvmc_emit_object(m, tm, &obj, err, err_size);
    LLVMDisposeTargetMachine(tm);
    if (rc != 0)
        return -1;
    const char *bytes = LLVMGetBufferStart(obj);
    size_t len = LLVMGetBufferSize(obj);
    char why[600];
    if (key && kcache_store(dir, key, key_len, bytes, len, why, sizeof why) != 0)
        warn(t, "the kernel cache in %s cannot be written (%s); running without it", dir, why);
    rc = llvmc_jit_add_object(c->jit, bytes, len, err, err_size);
    LLVMDisposeMemoryBuffer(obj);
    return rc;
}

codegen *codegen_compile(const kernel_spec *kernels, unsigned n, int is_double, rt_kernel *fns,
                         FILE *emit_ir, codegen_timings *timings, char *err, size_t err_size)
{
    codegen_timings t = {0};
    codegen *c = calloc(1, sizeof *c);
    if (!c || llvmc_host_init(&c->host, err, err_size) != 0) {
        free(c);
        return NULL;
    }
    c->jit = llvmc_jit_new(&c->host, err, err_size);
    if (!c->jit) {
        codegen_free(c);
        return NULL;
    }
    double start = now_ms();
    LLVMContextRef ctx = LLVMContextCreate();   /* ours: the JIT takes object code, not the module */
    emitter E;
    emitter_init(&E, ctx, is_double);
    LLVMSetTarget(E.m, c->host.triple);
    int failed = 0;
    for (unsigned k = 0; k < n && !failed; k++)
        failed = emit_kernel(&E, &kernels[k], &c->host) != 0;
    LLVMDisposeBuilder(E.b);
    char *msg = NULL;
    if (failed || LLVMVerifyModule(E.m, LLVMReturnStatusAction, &msg)) {
        snprintf(err, err_size, "internal error: the generated LLVM IR is invalid: %s", msg ? msg : "");
        LLVMDisposeMessage(msg);
        LLVMDisposeModule(E.m);
        LLVMContextDispose(ctx);
        codegen_free(c);
        return NULL;
    }
    LLVMDisposeMessage(msg);
    /* emit-llvm prints the optimised IR, so it always compiles */
    char dir[4096], *key = NULL;
    size_t key_len = 0;
    if (!emit_ir && kcache_dir(dir, sizeof dir) == 0)
        key = cache_key(&c->host, E.m, &key_len);
    t.cache = key ? CODEGEN_CACHE_MISS : CODEGEN_CACHE_OFF;
    t.build_ms = now_ms() - start;
    start = now_ms();
    if (key && from_cache(c, dir, key, key_len, kernels, n, fns, &t)) {
        t.cache = CODEGEN_CACHE_HIT;
        t.emit_ms = now_ms() - start;
    } else if (!c->jit || compile_module(c, E.m, emit_ir, dir, key, key_len, &t, err, err_size) != 0 ||
               look_up(c, kernels, n, fns, err, err_size) != 0) {
        if (!c->jit)
            snprintf(err, err_size, "cannot create the JIT again");
        failed = 1;
    } else {
        t.emit_ms = now_ms() - start - t.optimize_ms;   /* code generation and linking */
    }
    free(key);
    LLVMDisposeModule(E.m);
    LLVMContextDispose(ctx);
    if (failed) {
        codegen_free(c);
        return NULL;
    }
    if (timings)
        *timings = t;
    return c;
}

const char *codegen_cache_name(codegen_cache c)
{
    return c == CODEGEN_CACHE_HIT ? "hit" : c == CODEGEN_CACHE_MISS ? "miss" : "off";
}

void codegen_free(codegen *c)
{
    if (!c)
        return;
    llvmc_jit_free(c->jit);
    llvmc_host_free(&c->host);
    free(c);
}
