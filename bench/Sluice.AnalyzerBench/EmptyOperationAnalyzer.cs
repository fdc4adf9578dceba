using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Sluice.AnalyzerBench;

/// <summary>
/// The baseline: registers for the operations Sluice's analyzers use and does nothing, so its time is what the driver
/// spends building operation trees and dispatching, which every IOperation analyzer in a build shares.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
internal sealed class EmptyOperationAnalyzer : DiagnosticAnalyzer
{
    private static readonly DiagnosticDescriptor Unused = new("BENCH000", "Unused", "Unused", "Bench", DiagnosticSeverity.Hidden, isEnabledByDefault: true);

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Unused];

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterOperationAction(
            _ => { },
            OperationKind.Invocation, OperationKind.Argument, OperationKind.SimpleAssignment, OperationKind.CatchClause);
        context.RegisterOperationBlockAction(_ => { });
    }
}
