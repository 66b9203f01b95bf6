/*
 * A stand-in for Windows' bcryptprimitives.dll, for running stillpoint's
 * Windows build under wine 8 in CI only; it is never shipped.
 *
 * Rust's standard library takes its random seeds (HashMap keys) from
 * ProcessPrng in bcryptprimitives.dll, which Windows 10 and later have and
 * wine 8 does not, so every Rust program stops at load time with status
 * c0000135. This DLL, placed next to the .exe, provides ProcessPrng on top of
 * RtlGenRandom (exported by advapi32 as SystemFunction036), which wine has.
 * Build: x86_64-w64-mingw32-gcc-posix -shared -O2 -o bcryptprimitives.dll
 *        bcryptprimitives.c -ladvapi32
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    /* RtlGenRandom takes a ULONG length, so fill large requests in pieces. */
    while (length > 0) {
        ULONG piece = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, piece))
            return FALSE;
        data += piece;
        length -= piece;
    }
    return TRUE;
}
