/* jit_info.c -- what the LLVM JIT will target on this machine.
 *
 * All LLVM-version differences live in this folder's JIT files behind
 * LLVM_VERSION_MAJOR; for now only the version query needs the C API.
 */
#include <stdio.h>

#include <llvm-c/Core.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>

#include "codegen.h"

const char *jit_describe(char *buf, unsigned size)
{
    unsigned major = 0, minor = 0, patch = 0;
    LLVMGetVersion(&major, &minor, &patch);
    char *cpu = LLVMGetHostCPUName();   /* owned by us: disposed below */
    char *triple = LLVMGetDefaultTargetTriple();
    snprintf(buf, size, "LLVM %u.%u.%u, target %s (%s)", major, minor, patch, triple, cpu);
    LLVMDisposeMessage(triple);
    LLVMDisposeMessage(cpu);
    return buf;
}
