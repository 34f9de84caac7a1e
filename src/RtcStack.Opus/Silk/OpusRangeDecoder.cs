namespace RtcStack.Opus;

/// <summary>
/// The range decoder of RFC 6716 §4.1, limited to what inspecting frame headers needs:
/// initialization (§4.1.1), symbol decoding with a frequency table (§4.1.2), renormalization
/// (§4.1.2.1) and binary symbols with probability 2^-logp (§4.1.3.1). Reading past the end of the
/// frame yields zero bits, as the RFC specifies, so it never fails.
/// </summary>
internal ref struct OpusRangeDecoder
{
    private readonly ReadOnlySpan<byte> _data;
    private int _pos;
    private uint _rng;
    private uint _val;
    private int _leftover;

    /// <summary>RFC 6716 §4.1.1: rng = 128, val = 127 - (b0 &gt;&gt; 1), keep b0's last bit, renormalize.</summary>
    public OpusRangeDecoder(ReadOnlySpan<byte> data)
    {
        _data = data;
        int b0 = data.IsEmpty ? 0 : data[0];
        _pos = 1;
        _leftover = b0;
        _rng = 128;
        _val = (uint)(127 - (b0 >> 1));
        Normalize();
    }

    /// <summary>RFC 6716 §4.1.2: fs = ft - min(val / (rng / ft) + 1, ft).</summary>
    public uint Decode(uint ft)
    {
        uint r = _rng / ft;
        return ft - Math.Min((_val / r) + 1, ft);
    }

    /// <summary>RFC 6716 §4.1.2: update val and rng with the symbol's (fl, fh, ft), then renormalize.</summary>
    public void Update(uint fl, uint fh, uint ft)
    {
        uint r = _rng / ft;
        _val -= r * (ft - fh);
        _rng = fl > 0 ? r * (fh - fl) : _rng - (r * (ft - fh));
        Normalize();
    }

    /// <summary>RFC 6716 §4.1.3.1: a binary symbol whose value 1 has probability 1/2^logp.</summary>
    public bool DecodeBit(int logp)
    {
        // With ft = 2^logp, §4.1.2 reduces to: r = rng / ft; the symbol is 1 iff val < r (fs = ft - 1).
        // Then symbol 1 (fl = ft - 1, fh = ft): val unchanged, rng = r; symbol 0 (fl = 0, fh = ft - 1):
        // val -= r, rng -= r.
        uint r = _rng >> logp;
        bool one = _val < r;
        if (one)
        {
            _rng = r;
        }
        else
        {
            _val -= r;
            _rng -= r;
        }

        Normalize();
        return one;
    }

    /// <summary>Decodes a symbol from a PDF given as frequencies that sum to 256 (the RFC's tables).</summary>
    public int DecodeSymbol(ReadOnlySpan<byte> pdf)
    {
        const uint ft = 256;
        uint fs = Decode(ft);
        uint fl = 0;
        for (int k = 0; k < pdf.Length; k++)
        {
            uint fh = fl + pdf[k];
            if (fs < fh)
            {
                Update(fl, fh, ft);
                return k;
            }

            fl = fh;
        }

        // Unreachable for a PDF summing to 256 (fs < ft always).
        Update(fl - pdf[^1], fl, ft);
        return pdf.Length - 1;
    }

    /// <summary>RFC 6716 §4.1.2.1: keep rng above 2^23, shifting in bytes (zeros past the end).</summary>
    private void Normalize()
    {
        while (_rng <= 1u << 23)
        {
            _rng <<= 8;
            int b = _pos < _data.Length ? _data[_pos] : 0;
            _pos++;
            int sym = ((_leftover << 7) | (b >> 1)) & 0xFF;
            _leftover = b;
            _val = ((_val << 8) + (uint)(255 - sym)) & 0x7FFFFFFF;
        }
    }
}
