//! A small latency-adding TCP proxy: a branch PC talking to a cloud database, without netem.
//! Listens on 127.0.0.1 only; every chunk read from one side is written to the other side
//! `one_way` later (so a request/response round trip gains 2 × `one_way`). Order is kept and
//! bandwidth is not limited: a chunk's delay starts when it is read, not when the previous
//! one was written.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::{sleep_until, Instant};

/// Starts the proxy in the background and returns the address to connect to.
pub async fn start(upstream: SocketAddr, one_way: Duration) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((inbound, _)) = listener.accept().await {
            tokio::spawn(async move {
                if let Err(e) = relay(inbound, upstream, one_way).await {
                    eprintln!("latency proxy: connection ended with {e}");
                }
            });
        }
    });
    Ok(addr)
}

async fn relay(inbound: TcpStream, upstream: SocketAddr, one_way: Duration) -> std::io::Result<()> {
    let outbound = TcpStream::connect(upstream).await?;
    inbound.set_nodelay(true)?;
    outbound.set_nodelay(true)?;
    let (ri, wi) = inbound.into_split();
    let (ro, wo) = outbound.into_split();
    let up = tokio::spawn(pipe(ri, wo, one_way));
    let down = tokio::spawn(pipe(ro, wi, one_way));
    let _ = tokio::join!(up, down);
    Ok(())
}

async fn pipe(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, delay: Duration) {
    let (tx, mut rx) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let writer = tokio::spawn(async move {
        while let Some((due, chunk)) = rx.recv().await {
            sleep_until(due).await;
            if to.write_all(&chunk).await.is_err() {
                break;
            }
        }
        let _ = to.shutdown().await;
    });
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if tx
                    .send((Instant::now() + delay, buf[..n].to_vec()))
                    .is_err()
                {
                    break;
                }
            }
        }
    }
    drop(tx);
    let _ = writer.await;
}
