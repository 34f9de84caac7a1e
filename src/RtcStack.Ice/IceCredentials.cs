using System.Security.Cryptography;

namespace RtcStack.Ice;

/// <summary>RFC 8445 §5.3 / RFC 8839 §5.4: ice-ufrag and ice-pwd.</summary>
/// <param name="Ufrag">The username fragment (4-256 ice-chars).</param>
/// <param name="Password">The password (22-256 ice-chars).</param>
public sealed record IceCredentials(string Ufrag, string Password)
{
    private const string IceChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    /// <summary>RFC 8445 §5.3: fresh random credentials (8-char ufrag, 24-char password: 48 and 144 bits).</summary>
    public static IceCredentials Generate(Random? random = null) => new(RandomString(8, random), RandomString(24, random));

    private static string RandomString(int length, Random? random)
    {
        Span<byte> bytes = stackalloc byte[length];
        if (random is null)
        {
            RandomNumberGenerator.Fill(bytes);
        }
        else
        {
            random.NextBytes(bytes);
        }

        Span<char> chars = stackalloc char[length];
        for (int i = 0; i < length; i++)
        {
            chars[i] = IceChars[bytes[i] & 63];
        }

        return new string(chars);
    }
}
