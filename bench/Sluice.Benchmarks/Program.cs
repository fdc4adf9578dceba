using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Sluice.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

/// <summary>Anchor type for <see cref="BenchmarkSwitcher"/>.</summary>
public partial class Program;
