using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Shapes;

namespace Sluice.Analyzers.Reliability;

/// <summary>
/// SLU302: finds blocking waits with neither a timeout nor a CancellationToken — <c>Task.Wait()</c>,
/// <c>Task.WaitAll/WaitAny</c>, <c>WaitHandle.WaitOne()</c>, <c>SemaphoreSlim.Wait()</c>, <c>ManualResetEventSlim.Wait()</c>,
/// <c>CountdownEvent.Wait()</c>, <c>Thread.Join()</c>, <c>Process.WaitForExit()</c>, <c>Monitor.Wait(obj)</c>,
/// <c>BlockingCollection&lt;T&gt;.Take()</c> — where they wait on work or signals from outside the component. Waits
/// that something else bounds or that coordinate a component with itself stay silent (see <see cref="WaitBounds"/>),
/// unless the member ignores a CancellationToken its caller handed in.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BlockingWaitAnalyzer : DiagnosticAnalyzer
{
    internal static readonly IntOption TimeoutSeconds = new(
        RuleIds.BlockingWaitWithoutTimeout, "timeout_seconds", defaultValue: 100, min: 1, max: 2_000_000,
        "The timeout (seconds) the fix passes to the wait.");

    internal static readonly StringOption SetupNames = new(
        RuleIds.BlockingWaitWithoutTimeout, "setup_names", SetupCode.DefaultNames,
        "Name patterns (Prefix*, *Suffix) of seeding, migration and installer code: waits in it, or on a task it returns, are not reported.");

    internal static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
        RuleIds.BlockingWaitWithoutTimeout,
        title: "Blocking wait with no timeout",
        messageFormat: "{0} blocks with no timeout and no CancellationToken, so {1} hangs the job forever",
        RuleCategories.Reliability,
        DiagnosticSeverity.Info,
        description: "A blocking wait with neither a timeout nor a cancellation token never gives up: a task that never "
            + "completes, a signal that is never set or a process that never exits hangs the job with no error. "
            + "Pass a timeout and check the result, pass a CancellationToken, or await the asynchronous form.");

    /// <summary>The waits this rule knows: declaring type, method, and what it is waiting for (for the message).</summary>
    private static (INamedTypeSymbol? Type, string Method, string WaitingFor)[] Waits(KnownTypes types) =>
    [
        (types.Task, "Wait", "a task that never completes"),
        (types.Task, "WaitAll", "a task that never completes"),
        (types.Task, "WaitAny", "tasks that never complete"),
        (types.WaitHandle, "WaitOne", "a signal that is never set"),
        (types.WaitHandle, "WaitAll", "a signal that is never set"),
        (types.WaitHandle, "WaitAny", "signals that are never set"),
        (types.SemaphoreSlim, "Wait", "a slot that is never released"),
        (types.ManualResetEventSlim, "Wait", "an event that is never set"),
        (types.CountdownEvent, "Wait", "a count that never reaches zero"),
        (types.Thread, "Join", "a thread that never ends"),
        (types.Process, "WaitForExit", "a process that never exits"),
        (types.Monitor, "Wait", "a pulse that never comes"),
        (types.BlockingCollection, "Take", "an item that never arrives"),
    ];

    /// <summary>
    /// The method names of <see cref="Waits"/>: a string check rejects almost every invocation before any symbol work (a
    /// pattern on constants, cheaper than the ImmutableHashSet it replaces).
    /// </summary>
    private static bool IsWaitName(string name)
        => name is "Wait" or "WaitAll" or "WaitAny" or "WaitOne" or "Join" or "WaitForExit" or "Take";

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var types = KnownTypes.Of(start.Compilation);
            var waits = new Dictionary<(INamedTypeSymbol, string), string>(TypeAndNameComparer.Instance);
            foreach (var (waiter, method, waitingFor) in Waits(types))
            {
                if (waiter is { } type)
                {
                    waits[(type, method)] = waitingFor;
                }
            }

            if (waits.Count == 0)
            {
                return;
            }

            var deadlines = Deadlines.TryCreate(types);
            start.RegisterOperationAction(c => AnalyzeInvocation(c, waits, types, deadlines), OperationKind.Invocation);
            if (types.GenericTask is not null)
            {
                start.RegisterOperationAction(c => AnalyzeResultRead(c, types, deadlines), OperationKind.PropertyReference);
            }
        });
    }

    private static void AnalyzeInvocation(
        OperationAnalysisContext context,
        Dictionary<(INamedTypeSymbol, string), string> waits,
        KnownTypes types,
        Deadlines? deadlines)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        if (method.Name == "GetResult")
        {
            AnalyzeResultRead(context, types, deadlines);
            return;
        }

        if (!IsWaitName(method.Name) || !waits.TryGetValue((method.ContainingType.OriginalDefinition, method.Name), out var waitingFor))
        {
            return;
        }

        // A timeout passed is the caller's decision (an infinite one is SLU301's business); so is a token that can fire.
        // An omitted optional token, default or CancellationToken.None bounds nothing. Every whole-number or TimeSpan
        // parameter of these waits is a timeout (Process.WaitForExit calls its own 'milliseconds').
        var passesTimeout = invocation.Arguments.Any(argument =>
            argument.ArgumentKind != ArgumentKind.DefaultValue
            && argument.Parameter is { } parameter
            && (Timeouts.Is(parameter.Type, types.TimeSpan) || parameter.Type.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64));
        if (passesTimeout || Timeouts.HasLiveToken(invocation, types))
        {
            return;
        }

        // Bounded elsewhere: the work has its own timeout, or the process whose output is read has exited.
        if (WaitBounds.IsWorkWithItsOwnTimeout(invocation, types) || WaitBounds.IsOutputOfAnExitedProcess(invocation, types))
        {
            return;
        }

        // Setup code (seeding, migrations), or a wait on the task of a setup method.
        var member = context.ContainingSymbol;
        var setupNames = SetupCode.ParseNames(SetupNames.Read(context.Options, invocation.Syntax.SyntaxTree));
        if (SetupCode.IsSetupMember(member, setupNames)
            || (invocation.Instance?.WalkDownConversion() is IInvocationOperation producer && SetupCode.IsSetupMember(producer.TargetMethod, setupNames)))
        {
            return;
        }

        // The component's own locks, events, queues and threads, unless the member ignores the token it was given.
        if (WaitBounds.IsOwnSynchronization(invocation, member, types) && !WaitBounds.IgnoresTokenParameter(invocation, member, types))
        {
            return;
        }

        var seconds = TimeoutSeconds.Read(context.Options, invocation.Syntax.SyntaxTree);
        var properties = DiagnosticProperties.WithSeconds(seconds);
        context.ReportDiagnostic(Diagnostic.Create(
            Rule,
            invocation.Syntax.GetLocation(),
            properties,
            $"{method.ContainingType.Name}.{method.Name}()",
            waitingFor));
    }

    /// <summary>
    /// <c>task.Result</c> and <c>task.GetAwaiter().GetResult()</c>: they block like <c>task.Wait()</c>, with no timeout
    /// and no token. Reported when the task is the unfinished work of a call made here (see
    /// <see cref="WaitBounds.UnfinishedCallWhoseResultIsRead"/>), with the exemptions of <c>Task.Wait()</c>.
    /// </summary>
    private static void AnalyzeResultRead(OperationAnalysisContext context, KnownTypes types, Deadlines? deadlines)
    {
        var read = context.Operation;
        if (read is IPropertyReferenceOperation { Property.Name: not "Result" }
            || WaitBounds.TaskWhoseResultIsRead(read, types) is not { } task
            || WaitBounds.UnfinishedCallWhoseResultIsRead(task, read, types) is not { } call)
        {
            return;
        }

        if (WaitBounds.IsTaskWithItsOwnTimeout(task, read.Root(), types) || WaitBounds.AreOutputOfAnExitedProcess(read, [task], types))
        {
            return;
        }

        // A result read from an embedded database (SQLite) waits on a local file: SLU303 leaves such calls alone too.
        if (deadlines?.IsEmbeddedDatabaseCall(call) == true)
        {
            return;
        }

        // Only a library's work: what the project's own async method waits on is out of sight here, and on real code
        // those reads were mostly thin wrappers over local work (an application's repository over its embedded database),
        // 13 of 14 not worth a suggestion on one codebase. Its own awaits inside are where this rule and SLU303 look.
        // (Wait() keeps reporting them: there, the project's own wrappers over S3 and HTTP clients were worth it.)
        if (!call.TargetMethod.Locations.IsEmpty && call.TargetMethod.Locations[0].IsInSource)
        {
            return;
        }

        // ASP.NET Core's authorization services evaluate registered policies and handlers in process: the task of a policy
        // provider or an authorization service is the application's own in-memory work, not a remote party that can stall.
        if (TypeSymbols.IsNamespaceOrNested(call.TargetMethod.ContainingNamespace, "Microsoft.AspNetCore.Authorization"))
        {
            return;
        }

        var setupNames = SetupCode.ParseNames(SetupNames.Read(context.Options, read.Syntax.SyntaxTree));
        if (SetupCode.IsSetupMember(context.ContainingSymbol, setupNames) || SetupCode.IsSetupMember(call.TargetMethod, setupNames))
        {
            return;
        }

        var seconds = TimeoutSeconds.Read(context.Options, read.Syntax.SyntaxTree);
        context.ReportDiagnostic(Diagnostic.Create(
            Rule,
            read.Syntax.GetLocation(),
            DiagnosticProperties.WithSeconds(seconds),
            read is IPropertyReferenceOperation ? "Task.Result" : "Task.GetAwaiter().GetResult()",
            "a task that never completes"));
    }

    /// <summary>Keys the wait table by the declaring type's original definition and the method name.</summary>
    private sealed class TypeAndNameComparer : IEqualityComparer<(INamedTypeSymbol Type, string Name)>
    {
        public static readonly TypeAndNameComparer Instance = new();

        public bool Equals((INamedTypeSymbol Type, string Name) x, (INamedTypeSymbol Type, string Name) y)
            => SymbolEqualityComparer.Default.Equals(x.Type, y.Type) && string.Equals(x.Name, y.Name, StringComparison.Ordinal);

        public int GetHashCode((INamedTypeSymbol Type, string Name) obj)
            => SymbolEqualityComparer.Default.GetHashCode(obj.Type) ^ StringComparer.Ordinal.GetHashCode(obj.Name);
    }
}
