namespace RtcStack.Dtls;

/// <summary>Something a <see cref="DtlsEndpoint"/> reports through <see cref="DtlsEndpoint.TryPollEvent"/>.</summary>
public abstract record DtlsEvent;
