namespace RtcStack.Crypto;

/// <summary>
/// The AES key expansion of FIPS-197 §5.2, used to feed round keys to the AES-NI instructions.
/// Only runs when a context is created. Checked against the FIPS-197 Appendix A/C vectors and
/// against System.Security.Cryptography.Aes in the tests.
/// </summary>
internal static class AesKeySchedule
{
    private static readonly byte[] s_sbox = BuildSbox();

    /// <summary>Gets the number of rounds for a key of <paramref name="keyLength"/> bytes (10 or 14).</summary>
    public static int Rounds(int keyLength) => keyLength switch
    {
        16 => 10,
        32 => 14,
        _ => throw new ArgumentException("AES key must be 16 or 32 bytes", nameof(keyLength)),
    };

    /// <summary>Expands <paramref name="key"/> into (rounds + 1) * 16 bytes of round keys.</summary>
    public static void Expand(ReadOnlySpan<byte> key, Span<byte> roundKeys)
    {
        int nk = key.Length / 4;
        int nr = Rounds(key.Length);
        int totalWords = 4 * (nr + 1);
        if (roundKeys.Length < totalWords * 4)
        {
            throw new ArgumentException("round key buffer too small", nameof(roundKeys));
        }

        key.CopyTo(roundKeys);
        byte rcon = 1;
        Span<byte> temp = stackalloc byte[4];
        for (int i = nk; i < totalWords; i++)
        {
            roundKeys.Slice((i - 1) * 4, 4).CopyTo(temp);
            if (i % nk == 0)
            {
                byte t0 = temp[0];
                temp[0] = (byte)(s_sbox[temp[1]] ^ rcon);
                temp[1] = s_sbox[temp[2]];
                temp[2] = s_sbox[temp[3]];
                temp[3] = s_sbox[t0];
                rcon = (byte)((rcon << 1) ^ ((rcon & 0x80) != 0 ? 0x1B : 0));
            }
            else if (nk > 6 && i % nk == 4)
            {
                for (int j = 0; j < 4; j++)
                {
                    temp[j] = s_sbox[temp[j]];
                }
            }

            for (int j = 0; j < 4; j++)
            {
                roundKeys[(i * 4) + j] = (byte)(roundKeys[((i - nk) * 4) + j] ^ temp[j]);
            }
        }
    }

    // The S-box from its definition (FIPS-197 §5.1.1): multiplicative inverse in GF(2^8) followed
    // by the affine map. Walking the powers of the generator 3 visits every non-zero element and
    // its inverse (the matching power of 3^-1) together.
    private static byte[] BuildSbox()
    {
        var sbox = new byte[256];
        byte p = 1;
        byte q = 1;
        do
        {
            p = (byte)(p ^ (p << 1) ^ ((p & 0x80) != 0 ? 0x1B : 0));
            q ^= (byte)(q << 1);
            q ^= (byte)(q << 2);
            q ^= (byte)(q << 4);
            if ((q & 0x80) != 0)
            {
                q ^= 0x09;
            }

            int x = q ^ Rotl(q, 1) ^ Rotl(q, 2) ^ Rotl(q, 3) ^ Rotl(q, 4);
            sbox[p] = (byte)(x ^ 0x63);
        }
        while (p != 1);
        sbox[0] = 0x63;
        return sbox;
    }

    private static int Rotl(byte v, int n) => ((v << n) | (v >> (8 - n))) & 0xFF;
}
