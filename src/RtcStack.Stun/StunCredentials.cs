using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace RtcStack.Stun;

/// <summary>Key derivation for STUN short-term and long-term credentials (RFC 8489 §9).</summary>
public static class StunCredentials
{
    /// <summary>
    /// RFC 8489 §9.1.1: the short-term key is the OpaqueString-prepared password as UTF-8 (for ICE,
    /// RFC 8445 §7.2.2, the ice-pwd, which is ASCII and so unchanged).
    /// </summary>
    public static byte[] ShortTermKey(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (!StunStringPrep.TryOpaqueString(password, out string prepared))
        {
            throw new ArgumentException("password is not a valid OpaqueString (RFC 8265 §4.2)", nameof(password));
        }

        return Encoding.UTF8.GetBytes(prepared);
    }

    /// <summary>
    /// RFC 8489 §9.2.2: the long-term key, MD5 or SHA-256 of
    /// <c>username ":" prep(realm) ":" prep(password)</c>. <paramref name="prep"/> is OpaqueString
    /// (RFC 8489) by default; SASLprep reproduces RFC 5389 and RFC 5769 §2.4.
    /// </summary>
    public static byte[] LongTermKey(string username, string realm, string password, StunPasswordAlgorithm algorithm = StunPasswordAlgorithm.Md5, StunStringPrepProfile prep = StunStringPrepProfile.OpaqueString)
    {
        ArgumentNullException.ThrowIfNull(username);
        ArgumentNullException.ThrowIfNull(realm);
        ArgumentNullException.ThrowIfNull(password);
        string r = Prepare(realm, prep, nameof(realm));
        string p = Prepare(password, prep, nameof(password));
        string input = username + ":" + r + ":" + p;
        byte[] bytes = Encoding.UTF8.GetBytes(input);
        try
        {
            return algorithm switch
            {
                StunPasswordAlgorithm.Md5 => MD5.HashData(bytes),
                StunPasswordAlgorithm.Sha256 => SHA256.HashData(bytes),
                _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
            };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>
    /// RFC 8489 §14.4: USERHASH = SHA-256(OpaqueString(username) ":" OpaqueString(realm)), 32 bytes,
    /// which a client may send instead of USERNAME to hide it.
    /// </summary>
    public static byte[] UserHash(string username, string realm)
    {
        string u = Prepare(username, StunStringPrepProfile.OpaqueString, nameof(username));
        string r = Prepare(realm, StunStringPrepProfile.OpaqueString, nameof(realm));
        return SHA256.HashData(Encoding.UTF8.GetBytes(u + ":" + r));
    }

    private static string Prepare(string value, StunStringPrepProfile prep, string name)
    {
        bool ok;
        string result;
        switch (prep)
        {
            case StunStringPrepProfile.None:
                return value;
            case StunStringPrepProfile.SaslPrep:
                ok = StunStringPrep.TrySaslPrep(value, out result);
                break;
            default:
                ok = StunStringPrep.TryOpaqueString(value, out result);
                break;
        }

        return ok ? result : throw new ArgumentException($"{name} is not valid under {prep}", name);
    }
}
