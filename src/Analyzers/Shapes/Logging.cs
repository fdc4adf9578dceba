using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;

namespace Sluice.Analyzers.Shapes;

/// <summary>
/// Calls that only write a log line. Two questions, answered differently on purpose: <see cref="IsKnownLogCall"/> is
/// strict (the retry rules treat such a call as bookkeeping a rewrite may drop or keep), <see cref="LooksLikeLogging"/>
/// is broad (SLU202 must see that a catch logs whatever logging library the code uses: Serilog, NLog, a wrapper).
/// </summary>
internal static class Logging
{
    /// <summary>An <c>ILogger</c> method or extension, <c>Console.Write*</c>, <c>Debug</c> or <c>Trace</c>, resolved by symbol.</summary>
    public static bool IsKnownLogCall(IInvocationOperation invocation, KnownTypes types)
    {
        var method = invocation.TargetMethod;
        var type = method.ContainingType;
        var logger = types.Logger;
        if (logger is not null
            && (SymbolEqualityComparer.Default.Equals(type, types.LoggerExtensions) || SymbolEqualityComparer.Default.Equals(type, logger)))
        {
            return true;
        }

        if (logger is not null && invocation.Instance?.Type is { } receiver)
        {
            foreach (var implemented in receiver.AllInterfaces)
            {
                if (SymbolEqualityComparer.Default.Equals(implemented, logger))
                {
                    return true;
                }
            }
        }

        return type is not null
            && ((method.Name.StartsWith("Write", StringComparison.Ordinal) && SymbolEqualityComparer.Default.Equals(type, types.Console))
                || SymbolEqualityComparer.Default.Equals(type, types.Debug)
                || SymbolEqualityComparer.Default.Equals(type, types.Trace));
    }

    /// <summary>
    /// A call named like logging (<c>Log*</c>, <c>Error</c>, <c>Warning</c>, <c>Information</c>...), or a console, debug,
    /// trace or text-writer write.
    /// </summary>
    public static bool LooksLikeLogging(IInvocationOperation call)
    {
        var method = call.TargetMethod;
        var type = method.ContainingType;
        return method.Name.StartsWith("Log", StringComparison.Ordinal)
            || method.Name is "Error" or "Warning" or "Warn" or "Information" or "Info" or "Fatal" or "Critical"
            || type is { Name: "Console" or "Debug" or "Trace", ContainingNamespace.Name: "System" or "Diagnostics" }
            || (method.Name is "Write" or "WriteLine" && type is { Name: "TextWriter" });
    }

    /// <summary>The statement's expression is a known log call (seen through <c>await</c>).</summary>
    public static bool IsKnownLogStatement(IOperation expression, KnownTypes types)
    {
        var operation = expression is IAwaitOperation awaited ? awaited.Operation : expression;
        return operation.WalkDownConversion() is IInvocationOperation invocation && IsKnownLogCall(invocation, types);
    }
}
