using BenchmarkDotNet.Running;
using MtaSts.Benchmarks;

// `--memory [N]`: the memory-per-policy measurement (not a BenchmarkDotNet run); anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "--memory")
{
    return PolicyMemoryMeasurement.Run(args);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
