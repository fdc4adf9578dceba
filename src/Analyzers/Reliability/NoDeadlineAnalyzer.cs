using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Shapes;

namespace Sluice.Analyzers.Reliability;

/// <summary>
/// SLU303: finds network and database calls (HttpClient, ADO.NET — Npgsql included — and EF Core async APIs) that take a
/// CancellationToken but get none, in a member that has no token variable to pass and applies no timeout, where the call
/// does real I/O that nothing else bounds (see <see cref="Deadlines.IsBoundedOrNotWorthADeadline"/>). Where a token is
/// in a variable in scope, CA2016 already asks for it; where one is reachable only through a context object or a base
/// class, the message names it.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NoDeadlineAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property: the token the member can reach (<c>context.CancellationToken</c>), when there is one.</summary>
    internal const string TokenProperty = "Token";

    internal static readonly IntOption DeadlineSeconds = new(
        RuleIds.NoDeadline, "deadline_seconds", defaultValue: 100, min: 1, max: 2_000_000,
        "The deadline (seconds) the fix gives the member's calls.");

    internal static readonly StringOption SetupNames = new(
        RuleIds.NoDeadline, "setup_names", SetupCode.DefaultNames,
        "Name patterns (Prefix*, *Suffix) of seeding, migration and installer code, matched against the member and the types that contain it; their calls are not reported.");

    internal static readonly BoolOption SkipEmbeddedDatabases = new(
        RuleIds.NoDeadline, "skip_embedded_databases", defaultValue: true,
        "Leave database calls alone when they go to an embedded database: a SQLite connection, or any DbContext or connection when the project references SQLite and no network database provider.");

    internal static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
        RuleIds.NoDeadline,
        title: "Network or database call with no deadline",
        messageFormat: "{0} gets no CancellationToken: {1}",
        RuleCategories.Reliability,
        DiagnosticSeverity.Warning,
        description: "A network or database call that no token reaches cannot be stopped by a shutdown, and only the "
            + "client's or provider's default timeout, if any, bounds how long it waits. Give the member a deadline "
            + "(a CancellationTokenSource with a timeout) or accept a CancellationToken, and pass the token on.");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (Deadlines.TryCreate(KnownTypes.Of(start.Compilation)) is not { } types)
            {
                return;
            }

            // Most members make no network or database call: a member's tokens and timeouts are looked at only when
            // one of its calls is a candidate, and once per member.
            var memberHasTokenOrDeadline = new ConcurrentDictionary<ISymbol, bool>(SymbolEqualityComparer.Default);
            start.RegisterOperationAction(
                operationContext =>
                {
                    var call = (IInvocationOperation)operationContext.Operation;
                    if (!types.IsCallWithoutToken(call))
                    {
                        return;
                    }

                    var member = operationContext.ContainingSymbol;
                    var body = call.Root();
                    var tree = call.Syntax.SyntaxTree;
                    if (memberHasTokenOrDeadline.GetOrAdd(member, m => types.HasTokenOrDeadline(m, ImmutableArray.Create(body)))
                        || types.IsBoundedOrNotWorthADeadline(call, member, ReadSettings(operationContext.Options, tree)))
                    {
                        return;
                    }

                    var properties = DiagnosticProperties.WithSeconds(DeadlineSeconds.Read(operationContext.Options, tree));
                    var token = types.ReachableToken(call, member);
                    if (token is not null)
                    {
                        properties = properties.Add(TokenProperty, token);
                    }

                    operationContext.ReportDiagnostic(Diagnostic.Create(
                        Rule,
                        call.Syntax.GetLocation(),
                        properties,
                        $"{call.TargetMethod.ContainingType.Name}.{call.TargetMethod.Name}",
                        Consequence(member.Name, token, types.KindOf(call.TargetMethod))));
                },
                OperationKind.Invocation);
        });
    }

    /// <summary>The options that decide which calls are reported, for the analyzer and its fix.</summary>
    internal static Deadlines.Settings ReadSettings(AnalyzerOptions options, SyntaxTree tree)
        => new(SetupCode.ParseNames(SetupNames.Read(options, tree)), SkipEmbeddedDatabases.Read(options, tree));

    /// <summary>What the missing token means here: what can reach the call, and what still bounds it.</summary>
    private static string Consequence(string member, string? token, Deadlines.CallKind kind)
    {
        if (token is not null)
        {
            return $"'{member}' can reach '{token}' but does not pass it, so cancelling that token does not stop the call";
        }

        var bound = kind switch
        {
            Deadlines.CallKind.Http => "only HttpClient.Timeout (100 s unless configured otherwise) bounds how long it waits",
            Deadlines.CallKind.HttpContent => "HttpClient.Timeout does not cover reading a body received unbuffered, so nothing bounds how long it waits",
            _ => "only the provider's command or connection timeout bounds how long it waits",
        };
        return $"'{member}' has none to pass and sets no deadline, so a shutdown cannot stop it and {bound}";
    }
}
