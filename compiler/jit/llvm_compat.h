/* llvm_compat.h -- every call whose form depends on the LLVM version.
 *
 * codegen.c builds IR through the stable core of the C API; what changed
 * between releases (the target machine for the host, the new pass manager,
 * ORC's LLJIT, intrinsic declarations) is wrapped here, behind
 * LLVM_VERSION_MAJOR, so a move to another LLVM touches one file.
 */
#ifndef RNNC_LLVM_COMPAT_H
#define RNNC_LLVM_COMPAT_H

#include <stddef.h>
#include <stdint.h>

#include <llvm-c/Core.h>
#include <llvm-c/TargetMachine.h>

/* Host target: triple, CPU name and features (owned; free with llvmc_host_free). */
typedef struct llvmc_host {
    char *triple, *cpu, *features;
    int avx512;                   /* the CPU has AVX-512F */
} llvmc_host;

int llvmc_host_init(llvmc_host *h, char *err, size_t err_size);
void llvmc_host_free(llvmc_host *h);

/* A target machine for the host at -O3 (caller disposes). */
LLVMTargetMachineRef llvmc_target_machine(const llvmc_host *h, char *err, size_t err_size);

/* Runs default<O3> with loop and SLP vectorisation on M, for TM. */
int llvmc_optimize(LLVMModuleRef m, LLVMTargetMachineRef tm, char *err, size_t err_size);

/* What llvmc_target_machine and llvmc_optimize do, as text for the kernel
 * cache's key: code made another way is another entry. */
const char *llvmc_pipeline_text(void);

/* M's object code for TM in *OBJ (LLVM-owned: LLVMDisposeMemoryBuffer). */
int llvmc_emit_object(LLVMModuleRef m, LLVMTargetMachineRef tm, LLVMMemoryBufferRef *obj,
                      char *err, size_t err_size);

/* An intrinsic such as llvm.floor for TYPE. */
LLVMValueRef llvmc_intrinsic(LLVMModuleRef m, const char *name, LLVMTypeRef type,
                             LLVMTypeRef *fn_type);

/* Lets every floating-point instruction of FN be fused with its neighbour
 * (a * b + c as one FMA: one rounding instead of two). */
void llvmc_allow_contraction(LLVMValueRef fn);

/* A JIT that owns compiled modules. */
typedef struct llvmc_jit llvmc_jit;

llvmc_jit *llvmc_jit_new(const llvmc_host *h, char *err, size_t err_size);
/* Adds the object code OBJ (copied) to J; on failure J may hold part of it,
 * so the caller starts again with a new JIT. */
int llvmc_jit_add_object(llvmc_jit *j, const void *obj, size_t len, char *err, size_t err_size);
/* The address of NAME, compiling it on first use; 0 on failure. */
uint64_t llvmc_jit_lookup(llvmc_jit *j, const char *name, char *err, size_t err_size);
void llvmc_jit_free(llvmc_jit *j);

#endif
