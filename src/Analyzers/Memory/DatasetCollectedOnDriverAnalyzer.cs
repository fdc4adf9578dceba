using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;

namespace Sluice.Analyzers.Memory;

/// <summary>
/// SLU106: finds <c>DataFrame.Collect()</c> (.NET for Apache Spark) on a frame that no <c>Limit(n)</c> bounds: every row of
/// a distributed dataset is shipped to the driver process and held there at once.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DatasetCollectedOnDriverAnalyzer : DiagnosticAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
        RuleIds.DatasetCollectedOnDriver,
        title: "Distributed dataset collected onto the driver",
        messageFormat: "{0} is collected whole onto the driver by Collect(); iterate it with ToLocalIterator(), write it out from the executors, or Limit it first",
        RuleCategories.Memory,
        DiagnosticSeverity.Info,
        description: "Collect() brings every row of a distributed DataFrame into the driver's memory at once, which is sized "
            + "for coordination, not for the dataset. Iterate it a partition at a time with ToLocalIterator(), keep the work on "
            + "the executors (Write, ForeachPartition), or bound it with Limit(n).");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var dataFrame = KnownTypes.Of(start.Compilation).SparkDataFrame;
            if (dataFrame is null)
            {
                return;
            }

            start.RegisterOperationAction(c => AnalyzeInvocation(c, dataFrame), OperationKind.Invocation);
        });
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, INamedTypeSymbol dataFrame)
    {
        var call = (IInvocationOperation)context.Operation;
        if (call.TargetMethod is not { Name: "Collect", IsStatic: false, Parameters.Length: 0 }
            || !SymbolEqualityComparer.Default.Equals(call.TargetMethod.ContainingType, dataFrame)
            || call.Instance is not { } frame
            || IsLimited(frame, dataFrame))
        {
            return;
        }

        var text = frame.Syntax.ToString();
        var name = text.Length <= 60 && text.IndexOf('\n') < 0 ? $"'{text}'" : "The DataFrame";
        context.ReportDiagnostic(Diagnostic.Create(Rule, call.Syntax.GetLocation(), name));
    }

    /// <summary>
    /// A <c>Limit(n)</c> in the frame's chain, or a frame whose making the rule cannot see whole (a local assigned more
    /// than once): when in doubt, nothing is reported.
    /// </summary>
    private static bool IsLimited(IOperation frame, INamedTypeSymbol dataFrame)
    {
        for (var depth = 0; depth < 64; depth++)
        {
            frame = frame.WalkDownConversion();
            switch (frame)
            {
                case IInvocationOperation { Instance: { } receiver } call when SymbolEqualityComparer.Default.Equals(call.TargetMethod.ContainingType, dataFrame):
                    if (call.TargetMethod.Name == "Limit")
                    {
                        return true;
                    }

                    frame = receiver;
                    continue;
                case ILocalReferenceOperation local:
                    if (LocalValues.OnlyDeclarator(local.Local, local.Root())?.Initializer?.Value is not { } value)
                    {
                        return true;
                    }

                    frame = value;
                    continue;
                default:
                    return false;
            }
        }

        return true;
    }
}
