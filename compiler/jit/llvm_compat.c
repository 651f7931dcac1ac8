/* llvm_compat.c -- the version-dependent part of the LLVM C API (see
 * llvm_compat.h). Written against LLVM 19. */
#include "llvm_compat.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/Error.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>
#include <llvm-c/Target.h>
#include <llvm-c/Transforms/PassBuilder.h>

#if LLVM_VERSION_MAJOR < 19
#error "rnnc is written against the LLVM 19 C API (llvm-19-dev)"
#endif

/* Copies an LLVM error's message into ERR, and disposes of the error. */
static int take_error(LLVMErrorRef e, const char *what, char *err, size_t err_size)
{
    char *msg = LLVMGetErrorMessage(e);   /* consumes E */
    snprintf(err, err_size, "%s: %s", what, msg);
    LLVMDisposeErrorMessage(msg);
    return -1;
}

static char *copy_and_dispose(char *llvm_owned)
{
    char *copy = strdup(llvm_owned ? llvm_owned : "");
    LLVMDisposeMessage(llvm_owned);
    return copy;
}

/* LLVM's targets are registered once per process, whatever the threads
 * that compile models (librnnc): LLVMInitializeNativeTarget is not safe
 * to call from two at once. */
static pthread_once_t native_target_once = PTHREAD_ONCE_INIT;
static int native_target_missing;

static void init_native_target(void)
{
    native_target_missing = LLVMInitializeNativeTarget() || LLVMInitializeNativeAsmPrinter();
}

int llvmc_host_init(llvmc_host *h, char *err, size_t err_size)
{
    memset(h, 0, sizeof *h);
    pthread_once(&native_target_once, init_native_target);
    if (native_target_missing) {
        snprintf(err, err_size, "LLVM has no code generator for this machine");
        return -1;
    }
    h->triple = copy_and_dispose(LLVMGetDefaultTargetTriple());
    h->cpu = copy_and_dispose(LLVMGetHostCPUName());
    h->features = copy_and_dispose(LLVMGetHostCPUFeatures());
    if (!h->triple || !h->cpu || !h->features) {
        llvmc_host_free(h);
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    h->avx512 = strstr(h->features, "+avx512f") != NULL;
    return 0;
}

void llvmc_host_free(llvmc_host *h)
{
    free(h->triple);
    free(h->cpu);
    free(h->features);
    memset(h, 0, sizeof *h);
}

LLVMTargetMachineRef llvmc_target_machine(const llvmc_host *h, char *err, size_t err_size)
{
    LLVMTargetRef target;
    char *msg = NULL;
    if (LLVMGetTargetFromTriple(h->triple, &target, &msg)) {
        snprintf(err, err_size, "no LLVM target for %s: %s", h->triple, msg ? msg : "");
        LLVMDisposeMessage(msg);
        return NULL;
    }
    return LLVMCreateTargetMachine(target, h->triple, h->cpu, h->features,
                                   LLVMCodeGenLevelAggressive, LLVMRelocDefault,
                                   LLVMCodeModelJITDefault);
}

/* The pipeline of llvmc_optimize and the code generator's level: keep
 * llvmc_pipeline_text in step with them. */
static const char PIPELINE[] = "default<O3>";

const char *llvmc_pipeline_text(void)
{
    return "passes default<O3>, loop and SLP vectorisation, interleaving, unrolling; "
           "codegen aggressive, reloc default, code model JIT default";
}

int llvmc_optimize(LLVMModuleRef m, LLVMTargetMachineRef tm, char *err, size_t err_size)
{
    LLVMPassBuilderOptionsRef opts = LLVMCreatePassBuilderOptions();
    LLVMPassBuilderOptionsSetLoopVectorization(opts, 1);
    LLVMPassBuilderOptionsSetSLPVectorization(opts, 1);
    LLVMPassBuilderOptionsSetLoopInterleaving(opts, 1);
    LLVMPassBuilderOptionsSetLoopUnrolling(opts, 1);
    LLVMErrorRef e = LLVMRunPasses(m, PIPELINE, tm, opts);
    LLVMDisposePassBuilderOptions(opts);
    return e ? take_error(e, "LLVM optimisation failed", err, err_size) : 0;
}

int llvmc_emit_object(LLVMModuleRef m, LLVMTargetMachineRef tm, LLVMMemoryBufferRef *obj,
                      char *err, size_t err_size)
{
    char *msg = NULL;
    if (LLVMTargetMachineEmitToMemoryBuffer(tm, m, LLVMObjectFile, &msg, obj)) {
        snprintf(err, err_size, "LLVM could not emit the kernels: %s", msg ? msg : "");
        LLVMDisposeMessage(msg);
        return -1;
    }
    return 0;
}

LLVMValueRef llvmc_intrinsic(LLVMModuleRef m, const char *name, LLVMTypeRef type,
                             LLVMTypeRef *fn_type)
{
    unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
    LLVMTypeRef overloads[1] = {type};
    *fn_type = LLVMIntrinsicGetType(LLVMGetModuleContext(m), id, overloads, 1);
    return LLVMGetIntrinsicDeclaration(m, id, overloads, 1);
}

struct llvmc_jit {
    LLVMOrcLLJITRef jit;
};

llvmc_jit *llvmc_jit_new(const llvmc_host *h, char *err, size_t err_size)
{
    llvmc_jit *j = calloc(1, sizeof *j);
    if (!j) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    LLVMTargetMachineRef tm = llvmc_target_machine(h, err, err_size);
    if (!tm) {
        free(j);
        return NULL;
    }
    LLVMOrcLLJITBuilderRef builder = LLVMOrcCreateLLJITBuilder();
    /* the builder takes the target machine builder, which takes TM */
    LLVMOrcLLJITBuilderSetJITTargetMachineBuilder(builder,
        LLVMOrcJITTargetMachineBuilderCreateFromTargetMachine(tm));
    LLVMErrorRef e = LLVMOrcCreateLLJIT(&j->jit, builder);   /* consumes BUILDER */
    if (e) {
        free(j);
        take_error(e, "cannot create the JIT", err, err_size);
        return NULL;
    }
    /* Kernels may call the C library (log, sin, pow): resolve those in this process. */
    LLVMOrcDefinitionGeneratorRef gen;
    e = LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(&gen, LLVMOrcLLJITGetGlobalPrefix(j->jit),
                                                            NULL, NULL);
    if (e) {
        llvmc_jit_free(j);
        take_error(e, "cannot resolve C library symbols for the JIT", err, err_size);
        return NULL;
    }
    LLVMOrcJITDylibAddGenerator(LLVMOrcLLJITGetMainJITDylib(j->jit), gen);   /* the dylib owns GEN */
    return j;
}

int llvmc_jit_add_object(llvmc_jit *j, const void *obj, size_t len, char *err, size_t err_size)
{
    LLVMMemoryBufferRef buf = LLVMCreateMemoryBufferWithMemoryRangeCopy(obj, len, "rnnc_kernels.o");
    /* the JIT owns BUF from here, on failure too */
    LLVMErrorRef e = LLVMOrcLLJITAddObjectFile(j->jit, LLVMOrcLLJITGetMainJITDylib(j->jit), buf);
    return e ? take_error(e, "cannot add the kernels' object code to the JIT", err, err_size) : 0;
}

uint64_t llvmc_jit_lookup(llvmc_jit *j, const char *name, char *err, size_t err_size)
{
    LLVMOrcExecutorAddress addr = 0;
    LLVMErrorRef e = LLVMOrcLLJITLookup(j->jit, &addr, name);
    if (e) {
        take_error(e, "cannot compile the kernels", err, err_size);
        return 0;
    }
    return addr;
}

void llvmc_jit_free(llvmc_jit *j)
{
    if (!j)
        return;
    if (j->jit) {
        LLVMErrorRef e = LLVMOrcDisposeLLJIT(j->jit);
        if (e)
            LLVMConsumeError(e);
    }
    free(j);
}

/* Fast-math flags on single instructions came to the C API in LLVM 18. */
void llvmc_allow_contraction(LLVMValueRef fn)
{
#if LLVM_VERSION_MAJOR >= 18
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
        for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i))
            if (LLVMCanValueUseFastMathFlags(i))
                LLVMSetFastMathFlags(i, LLVMGetFastMathFlags(i) | LLVMFastMathAllowContract);
#else
    (void)fn;
#endif
}
