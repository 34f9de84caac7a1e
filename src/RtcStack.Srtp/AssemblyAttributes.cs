using System.Runtime.CompilerServices;

// Hot paths stackalloc small scratch buffers; every one is written (or cleared explicitly) before use.
[module: SkipLocalsInit]
