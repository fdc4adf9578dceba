using System;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Sluice.Contract;
using Sluice.Utils;

namespace Sluice;

/// <summary>Deterministic idempotency keys: the same pipeline and record always give the same key, in every process.</summary>
public static class IdempotencyKey
{
    /// <summary>The HTTP header that carries the key (IETF draft "The Idempotency-Key HTTP Header Field").</summary>
    public const string HeaderName = RuntimeContract.Idempotency.HeaderName;

    /// <summary>The longest key accepted by the HTTP helpers.</summary>
    public const int MaxLength = 255;

    private static readonly byte[] s_domain = Encoding.UTF8.GetBytes("sluice.idempotency.v1");

    /// <summary>
    /// Derives the key of <paramref name="recordKey"/> in <paramref name="pipeline"/>: the lowercase hex SHA-256 of both
    /// strings, each length-prefixed so that no two different pairs share an input. The format is versioned and will not
    /// change, so retries and restarts of the same record (even after a deploy) send the same key.
    /// </summary>
    /// <param name="pipeline">The pipeline or operation name; not empty.</param>
    /// <param name="recordKey">The record's stable business key (an order id, not a position); not empty.</param>
    /// <returns>A 64-character lowercase hexadecimal key.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An argument is empty or white space.</exception>
    public static string For(string pipeline, string recordKey)
    {
        Guard.NotNullOrWhiteSpace(pipeline);
        Guard.NotNullOrWhiteSpace(recordKey);

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(s_domain);
        AppendPart(hash, pipeline);
        AppendPart(hash, recordKey);
        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }

    private static void AppendPart(IncrementalHash hash, string part)
    {
        var bytes = Encoding.UTF8.GetBytes(part);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
    }

    internal static string Validate(string? idempotencyKey, string parameterName)
    {
        Guard.NotNullOrWhiteSpace(idempotencyKey, parameterName);
        if (idempotencyKey!.Length > MaxLength)
        {
            throw new ArgumentException($"{parameterName} must be at most {MaxLength} characters long.", parameterName);
        }

        foreach (var c in idempotencyKey)
        {
            // Visible ASCII only: anything else could split or corrupt the header.
            if (c < 0x21 || c > 0x7E)
            {
                throw new ArgumentException($"{parameterName} must contain only visible ASCII characters.", parameterName);
            }
        }

        return idempotencyKey;
    }
}
