namespace RtcStack.NetSim.Links;

/// <summary>
/// Random packet loss on a link: independent (Bernoulli) with probability p, or the Gilbert–Elliott two-state model
/// (good/bad states with transition probabilities and per-state loss), both drawn from the link's seeded stream.
/// </summary>
public sealed class LossModel
{
    private readonly double _p;
    private readonly double _pGoodToBad;
    private readonly double _pBadToGood;
    private readonly double _lossInGood;
    private readonly double _lossInBad;
    private readonly bool _gilbertElliott;
    private bool _bad;

    private LossModel(double p, double g2b, double b2g, double lg, double lb, bool ge)
    {
        _p = p;
        _pGoodToBad = g2b;
        _pBadToGood = b2g;
        _lossInGood = lg;
        _lossInBad = lb;
        _gilbertElliott = ge;
    }

    /// <summary>No loss.</summary>
    public static LossModel None { get; } = new(0, 0, 0, 0, 0, false);

    /// <summary>Independent loss with probability <paramref name="p"/>.</summary>
    public static LossModel Random(double p) => new(p, 0, 0, 0, 0, false);

    /// <summary>Gilbert–Elliott: per-packet transition probabilities and loss probability in each state.</summary>
    public static LossModel GilbertElliott(double pGoodToBad, double pBadToGood, double lossInGood = 0, double lossInBad = 1) =>
        new(0, pGoodToBad, pBadToGood, lossInGood, lossInBad, true);

    /// <summary>Long-run loss rate.</summary>
    public double MeanLossRate => _gilbertElliott
        ? (_pBadToGood * _lossInGood + _pGoodToBad * _lossInBad) / Math.Max(_pGoodToBad + _pBadToGood, 1e-12)
        : _p;

    /// <summary>Decides whether the next packet is lost.</summary>
    public bool Drop(Random rng)
    {
        if (_gilbertElliott)
        {
            _bad = _bad ? rng.NextDouble() >= _pBadToGood : rng.NextDouble() < _pGoodToBad;
            return rng.NextDouble() < (_bad ? _lossInBad : _lossInGood);
        }
        return _p > 0 && rng.NextDouble() < _p;
    }
}
