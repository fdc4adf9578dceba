using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Shapes;

namespace Sluice.Analyzers.Reliability;

/// <summary>
/// SLU301: finds timeouts configured as infinite — <c>HttpClient.Timeout</c> and
/// <c>SocketsHttpHandler.ConnectTimeout</c> set to <c>Timeout.InfiniteTimeSpan</c>, <c>CommandTimeout = 0</c> on any
/// ADO.NET command, Dapper's <c>commandTimeout: 0</c>, and <c>Timeout.Infinite</c> passed as the timeout of a wait
/// that no live CancellationToken can end.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class InfiniteTimeoutAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property: what the timeout bounds (see <see cref="Kinds"/>).</summary>
    internal const string KindProperty = "Kind";

    /// <summary>Diagnostic property: the unit of the value being replaced (see <see cref="Units"/>).</summary>
    internal const string UnitProperty = "Unit";

    internal static readonly IntOption DefaultTimeoutSeconds = new(
        RuleIds.InfiniteTimeout, "default_timeout_seconds", defaultValue: 0, min: 1, max: 2_000_000,
        "When set, the timeout (seconds) the fix writes for every kind, unless the kind's own option below is set.",
        defaultText: "unset");

    internal static readonly IntOption HttpTimeoutSeconds = new(
        RuleIds.InfiniteTimeout, "http_timeout_seconds", defaultValue: 100, min: 1, max: 2_000_000,
        "The timeout (seconds) the fix writes for HttpClient.Timeout and SocketsHttpHandler.ConnectTimeout.");

    internal static readonly IntOption CommandTimeoutSeconds = new(
        RuleIds.InfiniteTimeout, "command_timeout_seconds", defaultValue: 300, min: 1, max: 2_000_000,
        "The timeout (seconds) the fix writes for DbCommand.CommandTimeout and Dapper's commandTimeout.");

    internal static readonly IntOption WaitTimeoutSeconds = new(
        RuleIds.InfiniteTimeout, "wait_timeout_seconds", defaultValue: 100, min: 1, max: 2_000_000,
        "The timeout (seconds) the fix writes for waits (Wait, WaitOne, Join...).");

    internal static readonly StringOption SetupNames = new(
        RuleIds.InfiniteTimeout, "setup_names", SetupCode.DefaultNames,
        "Name patterns (Prefix*, *Suffix) of seeding, migration and installer code, where a command timeout of 0 is deliberate and not reported.");

    internal static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
        RuleIds.InfiniteTimeout,
        title: "Infinite timeout configured",
        messageFormat: "{0} is infinite ({1}), so {2}",
        RuleCategories.Reliability,
        DiagnosticSeverity.Warning,
        description: "An infinite HTTP, command or wait timeout turns a stalled server, a blocked query or a lost signal "
            + "into a job that never finishes and never fails, so nothing alerts anyone. Set a finite timeout.");

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
            if (types.Timeout is null || types.TimeSpan is null)
            {
                return;
            }

            if (types.HttpClient is not null || types.SocketsHttpHandler is not null || types.DbCommand is not null || types.IDbCommand is not null)
            {
                start.RegisterOperationAction(c => AnalyzeAssignment(c, types), OperationKind.SimpleAssignment);
            }

            // One callback per call rather than per argument: arguments are the most common operation there is.
            start.RegisterOperationAction(c => AnalyzeArguments(c, types), OperationKind.Invocation, OperationKind.ObjectCreation);
        });
    }

    private static void AnalyzeAssignment(OperationAnalysisContext context, KnownTypes types)
    {
        var assignment = (ISimpleAssignmentOperation)context.Operation;
        if (assignment.Target is not IPropertyReferenceOperation { Property: var property })
        {
            return;
        }

        var owner = property.ContainingType;
        var (kind, unit, consequence) = property.Name switch
        {
            "Timeout" when TypeSymbols.IsOrDerives(owner, types.HttpClient) && Timeouts.IsInfiniteTimeSpan(assignment.Value, types)
                => (Kinds.Http, Units.TimeSpan, "a stalled request can wait forever"),
            "ConnectTimeout" when TypeSymbols.IsOrDerives(owner, types.SocketsHttpHandler) && Timeouts.IsInfiniteTimeSpan(assignment.Value, types)
                => (Kinds.Http, Units.TimeSpan, "a connection attempt to an unreachable host can wait forever"),
            "CommandTimeout" when (TypeSymbols.IsOrDerives(owner, types.DbCommand) || TypeSymbols.IsOrDerives(owner, types.IDbCommand))
                    && Timeouts.IsZero(assignment.Value)
                => (Kinds.Command, Units.Seconds, "a blocked query can wait forever"),
            _ => (null, null, null),
        };

        if (kind is not null && !(kind == Kinds.Command && IsSetupCode(context)))
        {
            Report(context, assignment.Syntax, kind, unit!, $"{owner.Name}.{property.Name}", assignment.Value, consequence!);
        }
    }

    private static void AnalyzeArguments(OperationAnalysisContext context, KnownTypes types)
    {
        var arguments = context.Operation switch
        {
            IInvocationOperation invocation => invocation.Arguments,
            IObjectCreationOperation creation => creation.Arguments,
            _ => ImmutableArray<IArgumentOperation>.Empty,
        };
        foreach (var argument in arguments)
        {
            AnalyzeArgument(context, argument, types);
        }
    }

    private static void AnalyzeArgument(OperationAnalysisContext context, IArgumentOperation argument, KnownTypes types)
    {
        // Arguments are everywhere: only a constant 0 or -1 (Timeout.Infinite included), a field named InfiniteTimeSpan or
        // a call named FromMilliseconds can be an infinite timeout, and checking that needs no symbols.
        if (!MayBeInfinite(argument.Value.WalkDownConversion())
            || argument.ArgumentKind == ArgumentKind.DefaultValue
            || argument.Parameter is not { ContainingSymbol: IMethodSymbol method } parameter)
        {
            return;
        }

        if (parameter.Name == "commandTimeout" && method.ContainingType.ContainingNamespace is { Name: "Dapper", ContainingNamespace.IsGlobalNamespace: true })
        {
            if (Timeouts.IsZero(argument.Value) && !IsSetupCode(context))
            {
                Report(context, argument.Syntax, Kinds.Command, Units.Seconds, "Dapper's commandTimeout", argument.Value, "a blocked query can wait forever");
            }

            return;
        }

        if (argument.Parent is not IInvocationOperation invocation || !IsWaitTimeout(parameter, method, types) || Timeouts.HasLiveToken(invocation, types))
        {
            return;
        }

        // The wait's task is then awaited with a token, or the wait is the component's own synchronization (unless the
        // member ignores the token it was given).
        if (WaitBounds.IsThenWaitedWithAToken(invocation, types)
            || (WaitBounds.IsOwnSynchronization(invocation, context.ContainingSymbol, types) && !WaitBounds.IgnoresTokenParameter(invocation, context.ContainingSymbol, types)))
        {
            return;
        }

        var isTimeSpan = Timeouts.Is(parameter.Type, types.TimeSpan);
        if (isTimeSpan ? !Timeouts.IsInfiniteTimeSpan(argument.Value, types) : !Timeouts.IsMinusOne(argument.Value))
        {
            return;
        }

        var isDelay = method.Name == "Delay" && Timeouts.Is(method.ContainingType, types.Task);
        Report(
            context,
            argument.Syntax,
            isDelay ? Kinds.Delay : Kinds.Wait,
            isTimeSpan ? Units.TimeSpan : Units.Milliseconds,
            $"The timeout of {method.ContainingType.Name}.{method.Name}",
            argument.Value,
            isDelay ? "with no CancellationToken the delay never ends" : "with no CancellationToken the wait can last forever");
    }

    private static bool MayBeInfinite(IOperation value)
        => value.ConstantValue is { HasValue: true, Value: int or long } constant
            ? constant.Value is 0 or -1 or 0L or -1L
            : value switch
            {
                IFieldReferenceOperation field => field.Field.Name == "InfiniteTimeSpan",
                IInvocationOperation invocation => invocation.TargetMethod.Name == "FromMilliseconds",
                _ => false,
            };

    /// <summary>
    /// A timeout parameter of a wait: int or TimeSpan named *timeout* (Process.WaitForExit: 'milliseconds'), or Task.Delay's delay.
    /// Thread.Sleep(Timeout.Infinite) is left alone: nobody sleeps forever by accident.
    /// </summary>
    private static bool IsWaitTimeout(IParameterSymbol parameter, IMethodSymbol method, KnownTypes types)
    {
        var isDuration = parameter.Type.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64
            || Timeouts.Is(parameter.Type, types.TimeSpan);
        if (!isDuration)
        {
            return false;
        }

        if (method.Name == "Delay" && Timeouts.Is(method.ContainingType, types.Task))
        {
            return true;
        }

        // Process.WaitForExit names its timeout 'milliseconds'.
        var isProcessTimeout = parameter.Name == "milliseconds" && method.ContainingType.Name == "Process";
        return (parameter.Name.IndexOf("timeout", StringComparison.OrdinalIgnoreCase) >= 0 || isProcessTimeout)
            && !(method.Name == "Sleep" && Timeouts.Is(method.ContainingType, types.Thread));
    }

    /// <summary>Seeding, migration or installer code, where a command that runs as long as it needs is deliberate.</summary>
    private static bool IsSetupCode(OperationAnalysisContext context)
        => SetupCode.IsSetupMember(context.ContainingSymbol, SetupCode.ParseNames(SetupNames.Read(context.Options, context.Operation.Syntax.SyntaxTree)));

    private static void Report(OperationAnalysisContext context, SyntaxNode location, string kind, string unit, string what, IOperation value, string consequence)
    {
        var tree = location.SyntaxTree;
        var seconds = kind switch
        {
            Kinds.Http => HttpTimeoutSeconds,
            Kinds.Command => CommandTimeoutSeconds,
            _ => WaitTimeoutSeconds,
        };
        var configured = seconds.ReadIfSet(context.Options, tree)
            ?? DefaultTimeoutSeconds.ReadIfSet(context.Options, tree)
            ?? seconds.Read(context.Options, tree);

        var properties = DiagnosticProperties.WithSeconds(configured)
            .Add(KindProperty, kind)
            .Add(UnitProperty, unit);
        context.ReportDiagnostic(Diagnostic.Create(Rule, location.GetLocation(), properties, what, value.Syntax.ToString(), consequence));
    }

    /// <summary>What an infinite timeout bounds; the fix's default depends on it.</summary>
    internal static class Kinds
    {
        internal const string Http = nameof(Http);
        internal const string Command = nameof(Command);
        internal const string Wait = nameof(Wait);
        internal const string Delay = nameof(Delay);
    }

    /// <summary>The unit of the infinite value, which the replacement must keep.</summary>
    internal static class Units
    {
        internal const string TimeSpan = nameof(TimeSpan);
        internal const string Seconds = nameof(Seconds);
        internal const string Milliseconds = nameof(Milliseconds);
    }
}
