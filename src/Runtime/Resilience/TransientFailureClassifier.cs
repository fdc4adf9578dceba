using System;
using System.Data.Common;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Sluice.Resilience;

/// <summary>Decides whether an exception describes a failure that may succeed when simply tried again.</summary>
internal static class TransientFailureClassifier
{
    // Wrappers (e.g. an ORM's update exception around a DbException) are unwrapped this deep at most.
    private const int MaxInnerExceptionDepth = 8;

    public static bool IsTransient(Exception exception) => IsTransient(exception, depth: 0);

    private static bool IsTransient(Exception exception, int depth)
    {
        switch (exception)
        {
            // HttpClient reports its own timeout as a cancellation wrapping a TimeoutException;
            // any other cancellation was asked for by a caller and must never be retried.
            case OperationCanceledException canceled:
                return canceled.InnerException is TimeoutException;
            case ArgumentException:
            case NotSupportedException:
            case NotImplementedException:
            case FormatException:
            case InvalidCastException:
            case NullReferenceException:
            case UnauthorizedAccessException:
            case System.ComponentModel.DataAnnotations.ValidationException:
                return false;
            case TimeoutException:
            case TimeoutRejectedException:
            case BrokenCircuitException:
            case SocketException:
                return true;
            case HttpRequestException http:
                return IsTransient(http);
            case DbException db:
                return db.IsTransient;
            case FileNotFoundException:
            case DirectoryNotFoundException:
            case PathTooLongException:
            case DriveNotFoundException:
            case EndOfStreamException:
            case InvalidDataException:
            case CorruptFileException:
                return false;
            case IOException:
                return true;
            case AggregateException aggregate:
                return aggregate.InnerExceptions.Count > 0 && AllTransient(aggregate, depth);
        }

        return exception.InnerException is { } inner && depth < MaxInnerExceptionDepth && IsTransient(inner, depth + 1);
    }

    private static bool AllTransient(AggregateException aggregate, int depth)
    {
        if (depth >= MaxInnerExceptionDepth)
        {
            return false;
        }

        foreach (var inner in aggregate.InnerExceptions)
        {
            if (!IsTransient(inner, depth + 1))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsTransient(HttpRequestException exception)
    {
        if (exception.StatusCode is { } status)
        {
            return IsTransient(status);
        }

        // Without a status code the request never got a response; only configuration and
        // security problems are known not to heal on their own.
        return exception.HttpRequestError switch
        {
            HttpRequestError.SecureConnectionError => false,
            HttpRequestError.VersionNegotiationError => false,
            HttpRequestError.ExtendedConnectNotSupported => false,
            HttpRequestError.UserAuthenticationError => false,
            HttpRequestError.ConfigurationLimitExceeded => false,
            _ => true,
        };
    }

    public static bool IsTransient(HttpStatusCode status)
    {
        var code = (int)status;
        return code >= 500 || status == HttpStatusCode.RequestTimeout || status == HttpStatusCode.TooManyRequests;
    }
}
